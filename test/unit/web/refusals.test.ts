// The web client's refusal wording: a person reads when to try again, in their terms.
import { describe, expect, it } from 'vitest';
import { ApiError, ConnectionLostError, describeError, parseRetryAfter, retryPhrase } from '../../../web/src/refusals';

const NOW = Date.parse('2026-03-04T10:30:00Z');

describe('Retry-After', () => {
  it('reads seconds and HTTP dates, and ignores anything else', () => {
    expect(parseRetryAfter('42', NOW)).toBe(42);
    expect(parseRetryAfter('Wed, 04 Mar 2026 10:31:30 GMT', NOW)).toBe(90);
    expect(parseRetryAfter('soon', NOW)).toBeNull();
    expect(parseRetryAfter(null, NOW)).toBeNull();
  });

  it('says when, relative and on the clock', () => {
    expect(retryPhrase(42, NOW)).toBe('in 42 s (at 10:30:42 UTC)');
    expect(retryPhrase(3 * 3600 + 12 * 60, NOW)).toBe('in 3 h 12 min (at 13:42:00 UTC)');
  });
});

describe('describeError', () => {
  it('explains a rate limit with the retry time', () => {
    expect(describeError(new ApiError(429, 'rate_limited', 'Rate limit exceeded', 30), NOW)).toEqual({
      code: 'rate_limited',
      text: 'You are sending requests too quickly. Try again in 30 s (at 10:30:30 UTC).',
    });
  });

  it('explains a used-up budget with the reset time', () => {
    expect(describeError(new ApiError(429, 'budget_exceeded', 'Daily token budget exceeded', 5400), NOW).text).toBe(
      "Today's model budget for your account is used up. It resets in 1 h 30 min (at 12:00:00 UTC).",
    );
  });

  it('explains read-only access, and keeps the API code', () => {
    const d = describeError(new ApiError(403, 'read_only', 'This principal is read-only'), NOW);
    expect(d.code).toBe('read_only');
    expect(d.text).toMatch(/read-only/);
  });

  it('passes other API messages through, and names network failures as such', () => {
    expect(describeError(new ApiError(403, 'forbidden', 'Thread not found or access denied'), NOW).text).toBe('Thread not found or access denied');
    expect(describeError(new TypeError('Failed to fetch'), NOW)).toMatchObject({ code: 'network' });
  });

  it('a connection lost mid-reply says the reply goes on, not to send again', () => {
    const { code, text } = describeError(new ConnectionLostError(), NOW);
    expect(code).toBe('connection_lost');
    expect(text).toMatch(/reply goes on/);
    expect(text).not.toMatch(/try again/i);
  });
});
