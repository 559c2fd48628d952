// THREATS T7: Every (credential kind, action) pair of the policy table, run through the use case that asks it,
// with in-memory stores: the expected outcomes are written out here, beside core/policy.ts, so a
// change to a rule must change this table too. A refused caller reaches no store.
import { describe, expect, it } from 'vitest';
import { adminDisableApiKey, issueApiKey, listApiKeys, revokeApiKey, setApiKeyEnabled, type ApiKeyDeps } from '../../../functions/shared/core/api-keys';
import type { AuditLog, AuditRecord, AuditReader } from '../../../functions/shared/core/audit';
import { listAudit } from '../../../functions/shared/core/audit-query';
import { cursorCodec } from '../../../functions/shared/core/cursor';
import { ACTIONS, type Action } from '../../../functions/shared/core/policy';
import type { Principal } from '../../../functions/shared/core/principal';
import { signOut } from '../../../functions/shared/core/sign-out';
import { deleteAccount } from '../../../functions/shared/core/account';
import { adminListThreads, createThread, listThreads, type ThreadDeps } from '../../../functions/shared/core/threads/thread-use-cases';
import { InMemoryApiKeys } from '../../fakes/in-memory-api-key-store';
import { InMemoryTaskStore } from '../../fakes/in-memory-task-store';
import { InMemoryThreadStore } from '../../fakes/in-memory-thread-store';

const base = { userId: 'iss:alice', keyId: null, email: null } as const;
const KINDS = {
  user: { ...base, roles: ['user'], authMethod: 'jwt', readOnly: false },
  guest: { ...base, roles: ['guest'], authMethod: 'jwt', readOnly: true },
  admin: { ...base, roles: ['admin'], authMethod: 'jwt', readOnly: false },
  key: { ...base, roles: ['user'], authMethod: 'apiKey', keyId: '01JKEY00000000000000000000', readOnly: false },
  readOnlyKey: { ...base, roles: ['user'], authMethod: 'apiKey', keyId: '01JKEY00000000000000000000', readOnly: true },
  // The authorizer never builds this (keys never carry admin); the policy refuses it anyway.
  adminKey: { ...base, roles: ['admin'], authMethod: 'apiKey', keyId: '01JKEY00000000000000000000', readOnly: false },
} satisfies Record<string, Principal>;
type Kind = keyof typeof KINDS;

const ok = 'allowed';
type Outcome = typeof ok | 'read_only' | 'admin_only' | 'forbidden';
const everyone = (o: Outcome, keys: Outcome): Record<Kind, Outcome> => ({ user: o, guest: o, admin: o, key: keys, readOnlyKey: keys, adminKey: keys });
const adminsOnly: Record<Kind, Outcome> = { user: 'admin_only', guest: 'admin_only', admin: ok, key: 'admin_only', readOnlyKey: 'admin_only', adminKey: 'admin_only' };
const writers = (keyOutcome: Outcome, readOnlyKey: Outcome): Record<Kind, Outcome> => ({ user: ok, guest: 'read_only', admin: ok, key: keyOutcome, readOnlyKey, adminKey: keyOutcome });

/** The rule, written out. */
const EXPECTED: Record<Action, Record<Kind, Outcome>> = {
  read: everyone(ok, ok),
  write: writers(ok, 'read_only'),
  'admin.read': adminsOnly,
  'audit.read': adminsOnly,
  'admin.apikeys.disable': adminsOnly,
  'apikeys.list': everyone(ok, 'forbidden'),
  'apikeys.disable': everyone(ok, 'forbidden'),
  'apikeys.revoke': everyone(ok, 'forbidden'),
  'apikeys.create': writers('forbidden', 'forbidden'),
  'apikeys.enable': writers('forbidden', 'forbidden'),
  'session.end': everyone(ok, 'forbidden'),
  'account.delete': everyone(ok, 'forbidden'),
};

const KEY_ID = '01JKEY00000000000000000001';
const origin = { ip: '203.0.113.1', userAgent: 'test', requestId: 'r1' };
const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
let n = 0;
const ids = { next: () => `01JID${String(++n).padStart(21, '0')}` };

/** A world of in-memory stores that counts every store call. */
function world() {
  const records: AuditRecord[] = [];
  const audit: AuditLog = { record: async (r) => void records.push(r) };
  const tasks = new InMemoryTaskStore();
  const threads = new InMemoryThreadStore(tasks);
  const keys = new InMemoryApiKeys();
  let calls = 0;
  const counted = <T extends object>(target: T): T =>
    new Proxy(target, { get: (t, p, r) => (typeof Reflect.get(t, p, r) === 'function' ? (...a: unknown[]) => (calls++, (Reflect.get(t, p, r) as (...x: unknown[]) => unknown).apply(t, a)) : Reflect.get(t, p, r)) });
  const threadDeps: ThreadDeps = {
    threads: () => counted(threads),
    adminReader: () => counted(threads),
    cursors: cursorCodec('a-secret-of-sixteen-chars'),
    audit,
    clock,
    ids,
  };
  const keyDeps: ApiKeyDeps = { store: (p) => keys.store(p.userId), adminStore: (owner) => keys.store(owner), audit, clock, ids, newKey: () => crypto.randomUUID() };
  const auditReader: AuditReader = { list: async () => (calls++, { events: [], next: null }) };
  const sessions = { signOut: async () => void calls++ };
  const connections = { closeAll: async () => (calls++, 0) };
  const cipher = { destroyUserKey: async () => void calls++ };
  const eraser = { eraseAll: async () => (calls++, true) };
  // The key each key action addresses, in the caller's partition and in bob's (the admin's target).
  for (const owner of ['iss:alice', 'iss:bob']) {
    void keys.store(owner).create({ id: KEY_ID, name: 'k', readOnly: false, enabled: false, createdAt: '2026-01-01T00:00:00Z', lastUsedAt: null, keyHash: 'h' }, 25);
  }
  keys.calls = 0;
  return { records, threadDeps, keyDeps, auditReader, sessions, connections, cipher, eraser, storeCalls: () => calls + keys.calls };
}

type World = ReturnType<typeof world>;
/** The use case that asks each action, with input that succeeds when the caller is allowed. */
const PROBES: Record<Action, (w: World, p: Principal) => Promise<unknown>> = {
  read: (w, p) => listThreads(w.threadDeps, { principal: p, origin }, { limit: 10, cursor: null }),
  write: (w, p) => createThread(w.threadDeps, { principal: p, origin }, { title: 'x' }),
  'admin.read': (w, p) => adminListThreads(w.threadDeps, { principal: p, origin }, 'iss:bob', () => ({ limit: 10, cursor: null })),
  'audit.read': (w, p) => listAudit({ reader: w.auditReader, cursorSecret: async () => 'a-secret-of-sixteen-chars' }, p, () => ({ userId: null, limit: 10, cursor: null })),
  'admin.apikeys.disable': (w, p) => adminDisableApiKey(w.keyDeps, p, origin, 'iss:bob', KEY_ID),
  'apikeys.list': (w, p) => listApiKeys(w.keyDeps, p),
  'apikeys.disable': (w, p) => setApiKeyEnabled(w.keyDeps, p, origin, KEY_ID, () => ({ enabled: false })),
  'apikeys.revoke': (w, p) => revokeApiKey(w.keyDeps, p, origin, KEY_ID),
  'apikeys.create': (w, p) => issueApiKey(w.keyDeps, p, origin, () => ({ name: 'n', readOnly: false })),
  'apikeys.enable': (w, p) => setApiKeyEnabled(w.keyDeps, p, origin, KEY_ID, () => ({ enabled: true })),
  'session.end': (w, p) =>
    signOut({ sessions: w.sessions, clock, audit: w.threadDeps.audit, apiKeys: w.keyDeps.store, connections: w.connections }, p, origin, { revokeKeysCreatedBefore: false }),
  'account.delete': (w, p) => deleteAccount({ cipher: w.cipher, sessions: w.sessions, connections: w.connections, eraser: w.eraser, audit: w.threadDeps.audit, clock }, p, origin, () => p.userId),
};

const cases = ACTIONS.flatMap((action) => (Object.keys(KINDS) as Kind[]).map((kind) => [action, kind, EXPECTED[action][kind]] as const));

describe('the policy table, through the use cases', () => {
  it('has an expected row for every action and a probe for each', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...ACTIONS].sort());
    expect(Object.keys(PROBES).sort()).toEqual([...ACTIONS].sort());
  });

  it.each(cases)('%s by %s: %s', async (action, kind, expected) => {
    const w = world();
    const run = PROBES[action](w, KINDS[kind]);
    if (expected === ok) {
      await expect(run).resolves.not.toThrow();
      return;
    }
    await expect(run).rejects.toMatchObject({ code: expected });
    // Decided before any lookup or input: no store was called.
    expect(w.storeCalls()).toBe(0);
  });

  it('reads no input of a refused caller (the body thunk is never called)', async () => {
    const w = world();
    let read = false;
    const body = () => ((read = true), { name: 'n', readOnly: false });
    await expect(issueApiKey(w.keyDeps, KINDS.key, origin, body)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(adminListThreads(w.threadDeps, { principal: KINDS.user, origin }, 'iss:bob', () => ((read = true), { limit: 1, cursor: null }))).rejects.toMatchObject({ code: 'admin_only' });
    expect(read).toBe(false);
  });

  it('audits an admin-only refusal of a support read and of a key disable', async () => {
    const w = world();
    await expect(PROBES['admin.read'](w, KINDS.user)).rejects.toMatchObject({ code: 'admin_only' });
    await expect(PROBES['admin.apikeys.disable'](w, KINDS.user)).rejects.toMatchObject({ code: 'admin_only' });
    expect(w.records.map((r) => [r.action, r.outcome, r.reason])).toEqual([
      ['admin.thread.read', 'denied', 'admin_only'],
      ['admin.apikey.disable', 'denied', 'admin_only'],
    ]);
  });
});
