// The contract check the integration suite runs on every response: it passes what the document
// describes and names what it does not.
import { describe, expect, it } from 'vitest';
import { checkResponse } from '../../../test/helpers/contract';

const BASE = 'http://127.0.0.1:3000';
const rate = { 'X-RateLimit-Limit': '120', 'X-RateLimit-Remaining': '119', 'X-RateLimit-Reset': '1767225660' };
const json = (extra: Record<string, string> = {}) => new Headers({ 'Content-Type': 'application/json; charset=utf-8', ...extra });
const thread = { id: '01JT', title: 'New thread', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', metadata: {} };
const check = (method: string, path: string, status: number, headers: Headers, body: unknown) =>
  checkResponse({ method, url: `${BASE}${path}`, status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('contract check', () => {
  it('accepts a documented response', () => {
    expect(check('GET', '/threads/01JT', 200, json(rate), thread)).toEqual({ checked: true, problem: null });
    expect(check('DELETE', '/threads/01JT', 204, new Headers(rate), '')).toEqual({ checked: true, problem: null });
    expect(check('GET', '/nope', 404, json(), { error: { code: 'not_found', message: 'Not found' } })).toEqual({ checked: true, problem: null });
  });

  it('refuses a body that misses a field, an error code the route does not document, and an undocumented status', () => {
    const { metadata: _, ...noMetadata } = thread;
    expect(check('GET', '/threads/01JT', 200, json(rate), noMetadata)).toMatchObject({ problem: expect.stringContaining('metadata') });
    expect(check('GET', '/threads/01JT', 403, json(rate), { error: { code: 'admin_only', message: 'x' } })).toMatchObject({
      problem: expect.stringContaining('allowed values'),
    });
    expect(check('GET', '/threads/01JT', 409, json(rate), { error: { code: 'conflict', message: 'x' } })).toMatchObject({
      problem: expect.stringContaining('not documented'),
    });
  });

  it('requires the rate-limit headers on a success of an authenticated route, and integers in them', () => {
    expect(check('GET', '/threads/01JT', 200, json(), thread)).toMatchObject({ problem: expect.stringContaining('missing header X-RateLimit-Limit') });
    expect(check('GET', '/threads/01JT', 200, json({ ...rate, 'X-RateLimit-Reset': 'soon' }), thread)).toMatchObject({
      problem: expect.stringContaining('X-RateLimit-Reset'),
    });
  });

  it('checks every event of a server-sent event stream', () => {
    const sse = (events: unknown[]) => events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('');
    const headers = new Headers({ 'Content-Type': 'text/event-stream', ...rate });
    const good = sse([{ type: 'text.delta', itemId: '01JU', delta: 'Hi' }]);
    expect(check('POST', '/threads/01JT/messages', 200, headers, good)).toEqual({ checked: true, problem: null });
    const bad = sse([{ type: 'text.delta', itemId: '01JU', delta: 'Hi' }, { type: 'text.delta', delta: 3 }]);
    expect(check('POST', '/threads/01JT/messages', 200, headers, bad)).toMatchObject({ problem: expect.stringContaining('event') });
  });

  it('does not check CORS preflights (not operations of the API)', () => {
    expect(check('OPTIONS', '/threads', 204, new Headers(), '')).toEqual({ checked: false, reason: 'preflight' });
  });
});
