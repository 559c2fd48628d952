// Webhook delivery rules: which key makes a delivery unique, and exactly-once processing through a
// claim → effect → complete cycle on a conditional write (DESIGN invariant 9).
import { ConfigError, ConflictError, ValidationError } from './errors';
import type { IdGenerator } from './ids';
import type { Clock, Digest } from './ports';

/** Webhook bodies above this get 413 (API.md). */
export const WEBHOOK_MAX_BODY_BYTES = 256 * 1024;
/** How long a delivery is remembered (and kept for inspection); a repeat after this is new. */
export const WEBHOOK_EVENT_RETENTION_DAYS = 7;
/**
 * A claim older than this is considered abandoned (the function died mid-delivery) and may be
 * taken over by a retry; longer than the function timeout, so a live delivery is never run twice.
 */
export const WEBHOOK_CLAIM_LEASE_SECONDS = 60;

const KEY_TEXT = /^[\x21-\x7e]{1,200}$/;

/**
 * The webhook token as configured, in the form senders present it after `Bearer `. Some senders'
 * docs write the variable as `Bearer <token>`; that prefix is dropped, so such a value works. A
 * value that cannot be presented as one bearer token (empty, or with spaces left) fails at start
 * with an error naming the variable, rather than every call failing with 401.
 */
export function webhookTokenFrom(variable: string, configured: string): string {
  const token = configured.trim().replace(/^Bearer\s+/i, '');
  if (token === '' || /\s/.test(token)) {
    throw new ConfigError(`Invalid configuration: ${variable}: must be one token without spaces (the value senders put after "Bearer ")`);
  }
  return token;
}

/**
 * The delivery's idempotency key: the `Idempotency-Key` header, else the body's top-level `id`
 * (a string, or an integer; printable ASCII, at most 200 characters), else the SHA-256 of the source
 * and the raw body, so a sender that names no delivery (`{"event":"dao_created"}`) still has its
 * identical retries answered as duplicates. Identical bodies are then one delivery: a sender that
 * means two must tell them apart.
 */
export function idempotencyKeyOf(digest: Digest, header: string | undefined, body: Record<string, unknown>, source: string, rawBody: string): string {
  if (header !== undefined) {
    const key = header.trim();
    if (!KEY_TEXT.test(key)) throw new ValidationError('Idempotency-Key must be 1-200 printable characters');
    return key;
  }
  const id = body.id;
  if (typeof id === 'string' && KEY_TEXT.test(id)) return id;
  if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id);
  if (id === undefined) return `sha256-${digest.sha256Hex(`${source}\n${rawBody}`)}`;
  throw new ValidationError('The top-level "id" must be 1-200 printable characters or an integer');
}

export type ClaimResult =
  | { readonly status: 'claimed'; readonly eventId: string }
  | { readonly status: 'completed'; readonly eventId: string }
  | { readonly status: 'in_progress' };

export interface NewWebhookEvent {
  readonly source: string;
  readonly key: string;
  readonly eventId: string;
  readonly claimId: string;
  readonly body: string;
  readonly receivedAt: Date;
}

/** The stored deliveries; the event record doubles as the idempotency record. */
export interface WebhookEventStore {
  /**
   * Stores the event as in progress unless the key was seen: then reports it completed or in
   * progress, or takes over an abandoned claim (keeping its eventId, so effects stay idempotent).
   */
  claim(event: NewWebhookEvent): Promise<ClaimResult>;
  complete(source: string, key: string, outcome: string, at: Date): Promise<void>;
  /** Forgets a failed claim so the sender's retry runs the delivery again. */
  release(source: string, key: string, claimId: string): Promise<void>;
}

/** A delivery's effect, validated before anything is stored; receives the event id to stay idempotent. */
export type WebhookEffect = (eventId: string) => Promise<string>;

export interface DeliverDeps {
  readonly events: WebhookEventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

export interface DeliveryResult {
  readonly id: string;
  readonly duplicate: boolean;
  /** What the first delivery did (`stored`, `task_created`, `task_not_found`...); absent on a duplicate. */
  readonly outcome?: string;
}

export const DELIVERY_IN_PROGRESS_MESSAGE = 'A delivery with this idempotency key is still being processed; retry later';

export async function deliverWebhook(
  deps: DeliverDeps,
  delivery: { source: string; key: string; body: string },
  effect: WebhookEffect,
): Promise<DeliveryResult> {
  const claimId = deps.ids.next();
  const claim = await deps.events.claim({
    ...delivery,
    eventId: deps.ids.next(),
    claimId,
    receivedAt: deps.clock.now(),
  });
  if (claim.status === 'completed') return { id: claim.eventId, duplicate: true };
  if (claim.status === 'in_progress') throw new ConflictError(DELIVERY_IN_PROGRESS_MESSAGE);
  let outcome: string;
  try {
    outcome = await effect(claim.eventId);
  } catch (err) {
    await deps.events.release(delivery.source, delivery.key, claimId).catch(() => undefined);
    throw err;
  }
  await deps.events.complete(delivery.source, delivery.key, outcome, deps.clock.now());
  return { id: claim.eventId, duplicate: false, outcome };
}
