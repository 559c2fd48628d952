// Turns the API's error body (`{"error":{"code","message"}}`) and its Retry-After into a sentence a
// person can act on. Pure: the clock comes in, so the wording is testable.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds from `Retry-After`, when the API sent one. */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A sign-in that did not complete; its message is ours (fixed text), never the identity provider's. */
export class SignInError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SignInError';
  }
}

/** The connection ended before the reply's stream did (a network drop, a closed socket); the reply goes on at the API. */
export class ConnectionLostError extends Error {
  constructor() {
    super('The connection was lost before the reply finished');
    this.name = 'ConnectionLostError';
  }
}

/** `Retry-After` is seconds or an HTTP date (RFC 9110 §10.2.3); anything else is ignored. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

function inWords(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

/** "in 42 s (at 10:31:05)": relative and wall-clock, so it still reads right a minute later. */
export function retryPhrase(seconds: number, now: number): string {
  const at = new Date(now + seconds * 1000);
  const clock = at.toISOString().slice(11, 19);
  return `in ${inWords(seconds)} (at ${clock} UTC)`;
}

export function describeError(err: unknown, now: number = Date.now()): { code: string; text: string } {
  if (err instanceof SignInError) return { code: err.code, text: err.message };
  if (err instanceof ConnectionLostError) {
    // Sending again would start a second reply: this one is still running and will be in the thread.
    return { code: 'connection_lost', text: 'The connection was lost while the reply was coming in. The reply goes on and is kept: reload the page to follow it.' };
  }
  if (!(err instanceof ApiError)) {
    const message = err instanceof Error ? err.message : String(err);
    return { code: 'network', text: `The service could not be reached (${message}). Check your connection and try again.` };
  }
  const retry = err.retryAfter === null ? '' : ` Try again ${retryPhrase(err.retryAfter, now)}.`;
  switch (err.code) {
    case 'rate_limited':
      return { code: err.code, text: `You are sending requests too quickly.${retry || ' Wait a moment and try again.'}` };
    case 'budget_exceeded':
      return { code: err.code, text: `Today's model budget for your account is used up.${retry ? retry.replace('Try again', 'It resets') : ' It resets at midnight UTC.'}` };
    case 'provider_unavailable':
    case 'service_unavailable':
      return { code: err.code, text: `The service is busy right now.${retry || ' Try again shortly.'}` };
    case 'read_only':
      return { code: err.code, text: 'Your access is read-only: you can read threads and tasks, but not change anything.' };
    case 'unauthorized':
      return { code: err.code, text: 'Your sign-in has expired or is no longer valid. Please sign in again.' };
    case 'forbidden':
      return { code: err.code, text: err.message || 'Not found, or not yours.' };
    case 'payload_too_large':
      return { code: err.code, text: 'That is too long to send.' };
    default:
      return { code: err.code, text: err.message || `Request failed (HTTP ${err.status}).` };
  }
}
