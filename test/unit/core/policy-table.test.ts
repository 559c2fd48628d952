// THREATS T7: Every (credential kind, action) pair of the policy table, run through the use case that asks it,
// with in-memory stores: the expected outcomes are written out here, beside core/policy.ts, so a
// change to a rule must change this table too. A refused caller reaches no store.
import { createTokenBudget } from '../../../functions/shared/core/token-budget';
import { exportAccount, type AccountExportDeps, type AccountExportSource } from '../../../functions/shared/core/account-export';
import { adminUserUsage, myUsage, setUserBudget, type UsageDeps, type UsageStore } from '../../../functions/shared/core/usage';
import { describe, expect, it } from 'vitest';
import { adminDisableApiKey, issueApiKey, listApiKeys, revokeApiKey, setApiKeyEnabled, type ApiKeyDeps } from '../../../functions/shared/core/api-keys';
import type { AuditLog, AuditRecord, AuditReader } from '../../../functions/shared/core/audit';
import { listAudit } from '../../../functions/shared/core/audit-query';
import { cursorCodec } from '../../../functions/shared/core/cursor';
import { ACTIONS, type Action } from '../../../functions/shared/core/policy';
import type { Principal } from '../../../functions/shared/core/principal';
import { SCOPES, type Scope } from '../../../functions/shared/core/scopes';
import { createTask, listTasks } from '../../../functions/shared/core/tasks/task-use-cases';
import { signOut } from '../../../functions/shared/core/sign-out';
import { deleteAccount } from '../../../functions/shared/core/account';
import { adminListThreads, createThread, createThreadForMessage, listThreads, type ThreadDeps } from '../../../functions/shared/core/threads/thread-use-cases';
import { InMemoryApiKeys } from '../../fakes/in-memory-api-key-store';
import { InMemoryTaskStore } from '../../fakes/in-memory-task-store';
import { InMemoryThreadStore } from '../../fakes/in-memory-thread-store';
import { hmacSigner, nodeDigest } from '../../../functions/shared/adapters/node-crypto';

const base = { userId: 'iss:alice', keyId: null, email: null } as const;
const KINDS = {
  user: { ...base, roles: ['user'], authMethod: 'jwt', readOnly: false },
  guest: { ...base, roles: ['guest'], authMethod: 'jwt', readOnly: true },
  admin: { ...base, roles: ['admin'], authMethod: 'jwt', readOnly: false },
  key: { ...base, roles: ['user'], authMethod: 'apiKey', keyId: '01JKEY00000000000000000000', readOnly: false },
  readOnlyKey: { ...base, roles: ['user'], authMethod: 'apiKey', keyId: '01JKEY00000000000000000000', readOnly: true },
  // The authorizer never builds this (keys never carry admin); the policy refuses it anyway.
  adminKey: { ...base, roles: ['admin'], authMethod: 'apiKey', keyId: '01JKEY00000000000000000000', readOnly: false },
  // A key with every scope but one, per scope: each scope's refusal, and nothing else refused.
  'key-threads:read': allBut('threads:read'),
  'key-threads:write': allBut('threads:write'),
  'key-messages:write': allBut('messages:write'),
  'key-tasks:read': allBut('tasks:read'),
  'key-tasks:write': allBut('tasks:write'),
  // A key limited to the read scopes but whose owner was since demoted: read-only wins, as before scopes.
  demotedScopedKey: { ...base, roles: ['user'], authMethod: 'apiKey', keyId: '01JKEY00000000000000000000', readOnly: true, scopes: ['threads:read', 'threads:write'] },
} satisfies Record<string, Principal>;
type Kind = keyof typeof KINDS;
type ScopedKind = `key-${Scope}`;

function allBut(missing: Scope): Principal {
  return { ...base, roles: ['user'], authMethod: 'apiKey', keyId: '01JKEY00000000000000000000', readOnly: false, scopes: SCOPES.filter((s) => s !== missing) };
}

const ok = 'allowed';
type Outcome = typeof ok | 'read_only' | 'admin_only' | 'forbidden';
/** The five keys that each lack one scope, all with the same outcome. */
const scopedKeys = (o: Outcome): Record<ScopedKind, Outcome> => ({ 'key-threads:read': o, 'key-threads:write': o, 'key-messages:write': o, 'key-tasks:read': o, 'key-tasks:write': o });
const everyone = (o: Outcome, keys: Outcome): Record<Kind, Outcome> => ({ user: o, guest: o, admin: o, key: keys, readOnlyKey: keys, adminKey: keys, ...scopedKeys(keys), demotedScopedKey: keys });
const adminsOnly: Record<Kind, Outcome> = everyone('admin_only', 'admin_only');
adminsOnly.admin = ok;
const writers = (keyOutcome: Outcome, readOnlyKey: Outcome): Record<Kind, Outcome> => ({
  user: ok,
  guest: 'read_only',
  admin: ok,
  key: keyOutcome,
  readOnlyKey,
  adminKey: keyOutcome,
  ...scopedKeys(keyOutcome),
  demotedScopedKey: readOnlyKey,
});
/** A read that needs `scope`: refused only to the key without it. */
const reads = (scope: Scope): Record<Kind, Outcome> => ({ ...everyone(ok, ok), [`key-${scope}`]: 'forbidden' });
/** A write that needs `scope`: refused to read-only callers (read_only first), and to the key without it. */
const writes = (scope: Scope): Record<Kind, Outcome> => ({ ...writers(ok, 'read_only'), [`key-${scope}`]: 'forbidden' });

/** The rule, written out. */
const EXPECTED: Record<Action, Record<Kind, Outcome>> = {
  'threads.read': reads('threads:read'),
  'threads.write': writes('threads:write'),
  'messages.write': writes('messages:write'),
  'tasks.read': { ...reads('tasks:read'), demotedScopedKey: 'forbidden' }, // it holds only the thread scopes
  'tasks.write': writes('tasks:write'),
  'usage.read': everyone(ok, ok),
  // Any role; a key without either read scope is refused, and so is the key holding only the thread scopes.
  'account.export': { ...everyone(ok, ok), 'key-threads:read': 'forbidden', 'key-tasks:read': 'forbidden', demotedScopedKey: 'forbidden' },
  'admin.read': adminsOnly,
  'audit.read': adminsOnly,
  'admin.apikeys.disable': adminsOnly,
  'admin.usage.read': adminsOnly,
  'admin.budget.set': adminsOnly,
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
    cursors: cursorCodec(hmacSigner('a-secret-of-sixteen-chars')),
    audit,
    clock,
    ids,
  };
  const keyDeps: ApiKeyDeps = { store: (p) => keys.store(p.userId), adminStore: (owner) => keys.store(owner), audit, clock, ids, digest: nodeDigest, newKey: () => crypto.randomUUID() };
  const auditReader: AuditReader = { list: async () => (calls++, { events: [], next: null }) };
  const sessions = { signOut: async () => void calls++ };
  const connections = { closeAll: async () => (calls++, 0) };
  const cipher = { destroyUserKey: async () => void calls++ };
  const eraser = { eraseAll: async () => (calls++, true) };
  // The key each key action addresses, in the caller's partition and in bob's (the admin's target).
  for (const owner of ['iss:alice', 'iss:bob']) {
    void keys.store(owner).create({ id: KEY_ID, name: 'k', readOnly: false, enabled: false, createdAt: '2026-01-01T00:00:00Z', lastUsedAt: null, expiresAt: null, scopes: [...SCOPES], keyHash: 'h' }, 25);
  }
  keys.calls = 0;
  const usageStore: UsageStore = { days: async () => [], override: async () => null, setOverride: async () => undefined };
  const counter = { used: async () => 0, hold: async () => ({ held: true, used: 0 }), settle: async () => undefined };
  const usageDeps: UsageDeps = {
    usage: counted(usageStore),
    index: counted({ day: async () => [] }),
    budget: createTokenBudget({ counter: counted(counter), clock, dailyLimit: 1000, maxReplyTokens: 100, usage: counted(usageStore) }),
    audit,
    clock,
    cursorSigner: async () => hmacSigner('a-secret-of-sixteen-chars'),
  };
  const taskDeps = { tasks: () => counted(tasks), clock, ids, cursors: threadDeps.cursors };
  const emptySource: AccountExportSource = {
    profile: async () => ({ userId: 'iss:alice', email: null, roles: ['user'], authMethod: 'jwt', createdAt: '2026-01-01T00:00:00Z' }),
    threads: async function* () {},
    tasks: async () => [],
    apiKeys: async () => [],
    auditEvents: async function* () {},
  };
  const exportDeps: AccountExportDeps = { source: () => counted(emptySource), audit, clock };
  return { records, threadDeps, taskDeps, keyDeps, usageDeps, exportDeps, auditReader, sessions, connections, cipher, eraser, storeCalls: () => calls + keys.calls };
}

type World = ReturnType<typeof world>;
/** The use case that asks each action, with input that succeeds when the caller is allowed. */
const PROBES: Record<Action, (w: World, p: Principal) => Promise<unknown>> = {
  'threads.read': (w, p) => listThreads(w.threadDeps, { principal: p, origin }, { limit: 10, cursor: null }),
  'threads.write': (w, p) => createThread(w.threadDeps, { principal: p, origin }, { title: 'x' }),
  'messages.write': (w, p) => createThreadForMessage(w.threadDeps, { principal: p, origin }, { title: 'x' }),
  'tasks.read': (w, p) => listTasks(w.taskDeps, p, { limit: 10, cursor: null }),
  'tasks.write': (w, p) => createTask(w.taskDeps, p, { title: 'x' }),
  'admin.read': (w, p) => adminListThreads(w.threadDeps, { principal: p, origin }, 'iss:bob', () => ({ limit: 10, cursor: null })),
  'audit.read': (w, p) => listAudit({ reader: w.auditReader, cursorSigner: async () => hmacSigner('a-secret-of-sixteen-chars') }, p, () => ({ userId: null, limit: 10, cursor: null })),
  'admin.apikeys.disable': (w, p) => adminDisableApiKey(w.keyDeps, p, origin, 'iss:bob', KEY_ID),
  'account.export': (w, p) => exportAccount(w.exportDeps, p, origin),
  'usage.read': (w, p) => myUsage(w.usageDeps, p, () => ({ days: 7 })),
  'admin.usage.read': (w, p) => adminUserUsage(w.usageDeps, { principal: p, origin }, 'iss:bob', () => ({ days: 30 })),
  'admin.budget.set': (w, p) => setUserBudget(w.usageDeps, { principal: p, origin }, 'iss:bob', () => ({ dailyTokens: 10, monthlyTokens: null })),
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

  it('audits an export refused for a missing scope, naming the scope', async () => {
    const w = world();
    await expect(PROBES['account.export'](w, KINDS['key-tasks:read'])).rejects.toMatchObject({ code: 'forbidden' });
    expect(w.records.map((r) => [r.action, r.outcome, r.reason])).toEqual([['account.export', 'denied', 'missing_scope:tasks:read']]);
  });

  it.each(SCOPES)('names the missing scope %s in its refusal', async (scope) => {
    const action = (['threads.read', 'threads.write', 'messages.write', 'tasks.read', 'tasks.write'] as const).find((a) => a.replace('.', ':') === scope)!;
    await expect(PROBES[action](world(), KINDS[`key-${scope}`])).rejects.toThrow(`This API key lacks the ${scope} scope`);
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
