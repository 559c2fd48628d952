// Sign-out and role rules (core/sessions.ts) and the per-instance cache bound: a sign-out reaches
// every authorizer instance within SESSION_CACHE_SECONDS. Two caches over one store stand for two
// instances over one table (the integration tests run the DynamoDB adapter).
import { describe, expect, it } from 'vitest';
import {
  cachedSessionStore,
  endedBySignOut,
  NO_SESSION_STATE,
  roleChanged,
  SESSION_CACHE_SECONDS,
  type SessionState,
  type SessionStore,
} from '../../../functions/shared/core/sessions';

class InMemorySessions implements SessionStore {
  readonly items = new Map<string, SessionState>();
  reads = 0;
  async get(userId: string) {
    this.reads++;
    return this.items.get(userId) ?? NO_SESSION_STATE;
  }
  async noteRole(userId: string, keysReadOnly: boolean, iat: number) {
    const s = this.items.get(userId) ?? NO_SESSION_STATE;
    if (s.roleIat === null || s.roleIat < iat) this.items.set(userId, { ...s, keysReadOnly, roleIat: iat });
  }
  async signOut(userId: string, notBefore: number) {
    const s = this.items.get(userId) ?? NO_SESSION_STATE;
    if (s.notBefore === null || s.notBefore < notBefore) this.items.set(userId, { ...s, notBefore });
  }
}

describe('sign-out rules', () => {
  it('ends tokens issued at or before the sign-out second, and tokens without iat', () => {
    const s = { ...NO_SESSION_STATE, notBefore: 1000 };
    expect(endedBySignOut(s, 999)).toBe(true);
    expect(endedBySignOut(s, 1000)).toBe(true);
    expect(endedBySignOut(s, 1001)).toBe(false);
    // RFC 7519 NumericDate may be fractional: issued within the sign-out's second is still ended.
    expect(endedBySignOut(s, 1000.1)).toBe(true);
    expect(endedBySignOut(s, 1000.999)).toBe(true);
    expect(endedBySignOut(s, 1001.5)).toBe(false);
    expect(endedBySignOut(s, null)).toBe(true);
    expect(endedBySignOut(NO_SESSION_STATE, null)).toBe(false);
  });

  it('lets only a newer token change the role its keys are held to', () => {
    const demoted = { ...NO_SESSION_STATE, keysReadOnly: true, roleIat: 500 };
    expect(roleChanged(demoted, false, 499)).toBe(false);
    expect(roleChanged(demoted, false, 500)).toBe(false);
    expect(roleChanged(demoted, false, 501)).toBe(true);
    expect(roleChanged(demoted, true, 900)).toBe(false);
    expect(roleChanged(NO_SESSION_STATE, true, 1)).toBe(true);
    expect(roleChanged(NO_SESSION_STATE, false, 1)).toBe(false);
  });
});

describe('cachedSessionStore', () => {
  it('sees a sign-out made through another instance within SESSION_CACHE_SECONDS, and not before it is written', async () => {
    const table = new InMemorySessions();
    let now = 1_000_000;
    const a = cachedSessionStore(table, () => now);
    const b = cachedSessionStore(table, () => now);
    expect(endedBySignOut(await b.get('u'), 900)).toBe(false); // b caches "never signed out"
    await a.signOut('u', 1000);
    expect(endedBySignOut(await a.get('u'), 900)).toBe(true); // the writing instance at once
    now += SESSION_CACHE_SECONDS * 1000 - 1;
    expect(endedBySignOut(await b.get('u'), 900)).toBe(false);
    now += 1;
    expect(endedBySignOut(await b.get('u'), 900)).toBe(true);
  });

  it('reads the table at most once per user per SESSION_CACHE_SECONDS', async () => {
    const table = new InMemorySessions();
    let now = 0;
    const cache = cachedSessionStore(table, () => now);
    await Promise.all(Array.from({ length: 50 }, () => cache.get('u')));
    for (let i = 0; i < 50; i++) await cache.get('u');
    expect(table.reads).toBe(1);
    now += SESSION_CACHE_SECONDS * 1000;
    await cache.get('u');
    expect(table.reads).toBe(2);
  });

  it('answers a failed read with the last state it saw (else none), reports it, and reads again next time', async () => {
    let fail = false;
    const table = new InMemorySessions();
    const flaky: SessionStore = { get: async (u) => (fail ? Promise.reject(new Error('down')) : table.get(u)), noteRole: table.noteRole.bind(table), signOut: table.signOut.bind(table) };
    let now = 0;
    const failures: unknown[] = [];
    const cache = cachedSessionStore(flaky, () => now, SESSION_CACHE_SECONDS * 1000, (e) => failures.push(e));
    await table.signOut('u', 1000);
    expect((await cache.get('u')).notBefore).toBe(1000);
    fail = true;
    now += SESSION_CACHE_SECONDS * 1000;
    expect((await cache.get('u')).notBefore).toBe(1000); // last known: the sign-out still holds
    expect(await cache.get('never-seen')).toEqual(NO_SESSION_STATE);
    expect(failures).toHaveLength(2);
    fail = false;
    await table.signOut('u', 2000);
    expect((await cache.get('u')).notBefore).toBe(2000);
  });
});
