// Log redaction (THREATS T11): credential fields, headers, token-shaped text and query parameters.
import { describe, expect, it } from 'vitest';
import { REDACTED, redactDeep, redactString } from '../../../functions/shared/core/redact';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
const KEY = '3f1c2a4e-9b7d-4c1e-8a2b-0d9e8f7a6b5c';

describe('redaction', () => {
  it('drops the values of credential fields and headers in any case', () => {
    const out = redactDeep({
      headers: { Authorization: `Bearer ${JWT}`, 'X-API-Key': KEY, 'x-webhook-token': 'whsec-123', Cookie: 'sid=1', 'Proxy-Authorization': 'Basic x' },
      apiKey: KEY,
      cursorSecret: 's3cr3t',
      password: 'hunter2',
      keyId: '01JKEY',
      'Idempotency-Key': 'delivery-1',
    });
    expect(out).toEqual({
      headers: { Authorization: REDACTED, 'X-API-Key': REDACTED, 'x-webhook-token': REDACTED, Cookie: REDACTED, 'Proxy-Authorization': REDACTED },
      apiKey: REDACTED,
      cursorSecret: REDACTED,
      password: REDACTED,
      keyId: '01JKEY',
      'Idempotency-Key': 'delivery-1',
    });
  });

  it('scrubs token-shaped text inside any string', () => {
    const text = redactString(`failed for ${JWT} via /ws?token=abc.def&x=1 and /ws?key=${KEY} with x-api-key: ${KEY}; Bearer opaque-123`);
    expect(text).not.toContain(JWT);
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('abc.def');
    expect(text).not.toContain('opaque-123');
    expect(text).toContain('x=1');
  });

  it('keeps ordinary ids and request ids readable', () => {
    const ids = { requestId: 'c0a8012e-7b7d-4c1e-8a2b-0d9e8f7a6b5c', threadId: '01JTHREAD', route: '/threads/{threadId}' };
    expect(redactDeep(ids)).toEqual(ids);
  });
});
