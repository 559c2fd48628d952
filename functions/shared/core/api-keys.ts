// API key lifecycle: issue, list, enable/disable, revoke. Only the SHA-256 of a key is ever stored;
// the key text exists once, in the create response. Only JWT callers get past `authorize`; guests
// may list, disable and revoke (that only removes access) but not issue or re-enable. An admin may
// disable any user's key (audited).
import type { AuditAction, AuditLog, RequestOrigin } from './audit';
import { isApiKeyFormat, sha256Hex } from './authenticate';
import { API_KEY_NOT_FOUND_MESSAGE, ConflictError, ForbiddenError } from './errors';
import type { IdGenerator } from './ids';
import { authorize } from './policy';
import { isPossibleUserId, type Principal } from './principal';
import type { Clock } from './ports';

/** Bound on live keys per user (revoked keys do not count); exact under concurrent creates. */
export const MAX_API_KEYS_PER_USER = 25;

/** What the owner sees of a key: never the key, never its hash. */
export interface ApiKeyView {
  readonly id: string;
  readonly name: string;
  readonly readOnly: boolean;
  readonly enabled: boolean;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
}

export interface StoredApiKey extends ApiKeyView {
  readonly keyHash: string;
}

export interface IssuedApiKey {
  readonly id: string;
  readonly name: string;
  /** The key text; returned once, never stored. */
  readonly key: string;
  readonly readOnly: boolean;
  readonly enabled: true;
  readonly createdAt: string;
}

/** One principal's keys. Built per principal, so it can only address the caller's partition. */
export interface ApiKeyStore {
  /** Writes the lookup item, the reference item and the counter together; 'limit' when full. */
  create(key: StoredApiKey, maxKeys: number): Promise<'created' | 'limit'>;
  list(): Promise<ApiKeyView[]>;
  /** Null when the key is not in this partition (absent, revoked, or someone else's). */
  setEnabled(keyId: string, enabled: boolean, at: string): Promise<ApiKeyView | null>;
  /** False when the key is not in this partition. */
  revoke(keyId: string): Promise<boolean>;
  /** Whether the key is in this partition and enabled (one strongly consistent read). */
  isActive(keyId: string): Promise<boolean>;
}

export interface ApiKeyDeps {
  readonly store: (principal: Principal) => ApiKeyStore;
  /** `ownerId`'s keys for an admin; authorizes `admin.keys` before returning. */
  readonly adminStore?: (admin: Principal, ownerId: string) => Pick<ApiKeyStore, 'setEnabled'>;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** A random UUID v4 (crypto.randomUUID). */
  readonly newKey: () => string;
}

/** Key ids are ULIDs; anything else cannot exist and gets the same 403 as an unknown id. */
const KEY_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

async function audit(
  deps: Pick<ApiKeyDeps, 'audit'>,
  principal: Principal,
  origin: RequestOrigin,
  action: AuditAction,
  keyId: string,
  outcome: 'allowed' | 'denied',
): Promise<void> {
  await deps.audit.record({
    action,
    userId: principal.userId,
    ownerId: principal.userId,
    threadId: null,
    outcome,
    ...origin,
    // Only the id (a ULID, or a rejected id already checked to be short and plain) — never key text.
    reason: KEY_ID.test(keyId) ? `keyId=${keyId}` : 'keyId=invalid',
  });
}

export async function issueApiKey(
  deps: ApiKeyDeps,
  principal: Principal,
  origin: RequestOrigin,
  input: { name: string; readOnly: boolean },
): Promise<IssuedApiKey> {
  authorize(principal, 'apikeys.create');
  const key = deps.newKey().toLowerCase();
  if (!isApiKeyFormat(key)) throw new Error('key generator must produce a UUID v4');
  const createdAt = deps.clock.now().toISOString();
  const id = deps.ids.next();
  const stored: StoredApiKey = {
    id,
    name: input.name,
    readOnly: input.readOnly,
    enabled: true,
    createdAt,
    lastUsedAt: null,
    keyHash: sha256Hex(key),
  };
  const outcome = await deps.store(principal).create(stored, MAX_API_KEYS_PER_USER);
  if (outcome === 'limit') {
    throw new ConflictError(`At most ${MAX_API_KEYS_PER_USER} API keys per user; revoke one first`);
  }
  await audit(deps, principal, origin, 'apikey.create', id, 'allowed');
  return { id, name: input.name, key, readOnly: input.readOnly, enabled: true, createdAt };
}

export async function listApiKeys(deps: ApiKeyDeps, principal: Principal): Promise<ApiKeyView[]> {
  authorize(principal, 'apikeys.manage');
  return deps.store(principal).list();
}

export async function setApiKeyEnabled(
  deps: ApiKeyDeps,
  principal: Principal,
  origin: RequestOrigin,
  keyId: string,
  enabled: boolean,
): Promise<ApiKeyView> {
  authorize(principal, enabled ? 'apikeys.create' : 'apikeys.manage');
  const action: AuditAction = enabled ? 'apikey.enable' : 'apikey.disable';
  const view = KEY_ID.test(keyId)
    ? await deps.store(principal).setEnabled(keyId, enabled, deps.clock.now().toISOString())
    : null;
  await audit(deps, principal, origin, action, keyId, view ? 'allowed' : 'denied');
  if (!view) throw new ForbiddenError(API_KEY_NOT_FOUND_MESSAGE);
  return view;
}

/** An admin disables `ownerId`'s key: audited in the admin's trail with the owner, like a support read. */
export async function adminDisableApiKey(
  deps: ApiKeyDeps,
  admin: Principal,
  origin: RequestOrigin,
  ownerId: string,
  keyId: string,
): Promise<ApiKeyView> {
  const record = (outcome: 'allowed' | 'denied', reason: string) =>
    deps.audit.record({ action: 'admin.apikey.disable', userId: admin.userId, ownerId: isPossibleUserId(ownerId) ? ownerId : null, threadId: null, outcome, ...origin, reason });
  let store: Pick<ApiKeyStore, 'setEnabled'>;
  try {
    if (!deps.adminStore) throw new Error('admin key store not wired');
    store = deps.adminStore(admin, ownerId);
  } catch (err) {
    if (err instanceof ForbiddenError) await record('denied', err.code);
    throw err;
  }
  const view = KEY_ID.test(keyId) && isPossibleUserId(ownerId) ? await store.setEnabled(keyId, false, deps.clock.now().toISOString()) : null;
  await record(view ? 'allowed' : 'denied', KEY_ID.test(keyId) ? `keyId=${keyId}` : 'keyId=invalid');
  if (!view) throw new ForbiddenError(API_KEY_NOT_FOUND_MESSAGE);
  return view;
}

export async function revokeApiKey(
  deps: { readonly store: (principal: Principal) => Pick<ApiKeyStore, 'revoke'>; readonly audit: AuditLog },
  principal: Principal,
  origin: RequestOrigin,
  keyId: string,
): Promise<void> {
  authorize(principal, 'apikeys.manage');
  const revoked = KEY_ID.test(keyId) ? await deps.store(principal).revoke(keyId) : false;
  await audit(deps, principal, origin, 'apikey.revoke', keyId, revoked ? 'allowed' : 'denied');
  if (!revoked) throw new ForbiddenError(API_KEY_NOT_FOUND_MESSAGE);
}
