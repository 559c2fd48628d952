// Admin routes address a user by `userId` in the path. Real user ids hold `:` and, from Auth0,
// `|`; emails hold `@` and `+`; some subs hold spaces or `/`. Percent-encoded, each reaches the
// function (which decodes it once, as the deployed REST API hands it over still encoded) and
// finds that user's threads.
import { describe, expect, it } from 'vitest';
import { call, newThread, testUser } from '../helpers/threads';

describe('admin routes with real-world user ids', () => {
  const r = Math.random().toString(36).slice(2, 8);
  const admin = testUser('admin-ids', ['admin']);

  it.each([
    ['an Auth0 sub', `auth0|${r}abc`],
    ['an email', `first.last+${r}@example.com`],
    ['a sub with spaces', `first ${r} last`],
    ['a sub with a slash and a colon', `team/${r}:x`],
  ])('lists, reads and reads the items of a thread of %s', async (_kind, sub) => {
    const user = testUser('owner', undefined, sub);
    expect(user.userId).toContain(':'); // `<issuer tag>:<sub>`
    const threadId = await newThread(user, `thread of ${sub}`);
    const base = `/admin/users/${encodeURIComponent(user.userId)}/threads`;

    const list = await call(admin, 'GET', base);
    expect(list.status, list.text).toBe(200);
    expect(list.body.data.map((t: { id: string }) => t.id)).toEqual([threadId]);
    const one = await call(admin, 'GET', `${base}/${threadId}`);
    expect(one.status, one.text).toBe(200);
    expect(one.body).toMatchObject({ id: threadId, title: `thread of ${sub}` });
    expect((await call(admin, 'GET', `${base}/${threadId}/items`)).status).toBe(200);
  });

  it('answers a malformed percent-escape in the user id with 400, not a 500', async () => {
    const res = await call(admin, 'GET', '/admin/users/abc%zz/threads');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
  });
});
