// API key lifecycle: issue, list, enable/disable, revoke. Only the SHA-256 of a key is ever stored;
// the key text exists once, in the create response. Who may do what is the `apikeys.*` rows of
// policy.ts; every use case asks it first, before reading its input or any store.
import type { AuditAction, AuditLog, RequestOrigin } from './audit';
export { MAX_API_KEY_DAYS } from './api-key-limits';
import { isApiKeyFormat } from './authenticate';
import { API_KEY_NOT_FOUND_MESSAGE, ConflictError, ForbiddenError, ValidationError } from './errors';
import type { IdGenerator } from './ids';
import { authorize, decide } from './policy';
import { isPossibleUserId, type Principal } from './principal';
import type { Clock, Deferred, Digest } from './ports';
import { READ_SCOPES, SCOPES, normalizeScopes, writesWith, type Scope } from './scopes';

/** Bound on live keys per user (revoked keys do not count); exact under concurrent creates. */
export const MAX_API_KEYS_PER_USER = 25;

/** What the owner sees of a key: never the key, never its hash. */
export interface ApiKeyView {
  readonly id: string;
  readonly name: string;
  /** No write scope (`readOnly: true` at creation is the read scopes). */
  readonly readOnly: boolean;
  readonly enabled: boolean;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  /** From this time (whole seconds) the key is refused; null: never. */
  readonly expiresAt: string | null;
  readonly scopes: readonly Scope[];
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
  readonly expiresAt: string | null;
  readonly scopes: readonly Scope[];
}

/** What a create asks for, as the controller parsed it. */
export interface ApiKeyRequest {
  readonly name: string;
  readonly readOnly: boolean;
  /** 1..MAX_API_KEY_DAYS; absent: the deployment's maximum, or never when it has none. */
  readonly expiresInDays?: number | undefined;
  /** Absent: every scope (the read scopes when `readOnly`). */
  readonly scopes?: readonly Scope[] | undefined;
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
  /** `ownerId`'s keys, for an admin the use case has already authorized. */
  readonly adminStore?: (ownerId: string) => Pick<ApiKeyStore, 'setEnabled'>;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** A random UUID v4 (crypto.randomUUID). */
  readonly newKey: () => string;
  /** Hashes a new key for storage: only its SHA-256 is kept. */
  readonly digest: Digest;
  /**
   * `API_KEY_MAX_DAYS`: when set, every new key expires within this many days, and a create without
   * `expiresInDays` gets exactly this many. Unset: keys may be made that never expire.
   */
  readonly maxDays?: number | null;
}

const DAY_MS = 86_400_000;

/** The scopes a create ends up with; the use case refuses what the deployment does not allow. */
function scopesOf(input: ApiKeyRequest): Scope[] {
  if (!input.scopes) return [...(input.readOnly ? READ_SCOPES : SCOPES)];
  const scopes = normalizeScopes(input.scopes);
  if (input.readOnly && writesWith(scopes)) throw new ValidationError('readOnly: a read-only key cannot carry a write scope');
  return scopes;
}

/** When a key made `now` expires: whole seconds, so "from the second it expires" means one thing. */
function expiryOf(input: ApiKeyRequest, maxDays: number | null, now: Date): string | null {
  if (maxDays !== null && input.expiresInDays !== undefined && input.expiresInDays > maxDays) {
    throw new ValidationError(`expiresInDays: at most ${maxDays} on this deployment`);
  }
  const days = input.expiresInDays ?? maxDays;
  if (days === null) return null;
  return new Date(Math.floor(now.getTime() / 1000) * 1000 + days * DAY_MS).toISOString();
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
  body: Deferred<ApiKeyRequest>,
): Promise<IssuedApiKey> {
  authorize(principal, 'apikeys.create');
  const input = body();
  const scopes = scopesOf(input);
  const now = deps.clock.now();
  const expiresAt = expiryOf(input, deps.maxDays ?? null, now);
  const readOnly = !writesWith(scopes);
  const key = deps.newKey().toLowerCase();
  if (!isApiKeyFormat(key)) throw new Error('key generator must produce a UUID v4');
  const createdAt = now.toISOString();
  const id = deps.ids.next();
  const stored: StoredApiKey = {
    id,
    name: input.name,
    readOnly,
    enabled: true,
    createdAt,
    lastUsedAt: null,
    expiresAt,
    scopes,
    keyHash: deps.digest.sha256Hex(key),
  };
  const outcome = await deps.store(principal).create(stored, MAX_API_KEYS_PER_USER);
  if (outcome === 'limit') {
    throw new ConflictError(`At most ${MAX_API_KEYS_PER_USER} API keys per user; revoke one first`);
  }
  await audit(deps, principal, origin, 'apikey.create', id, 'allowed');
  return { id, name: input.name, key, readOnly, enabled: true, createdAt, expiresAt, scopes };
}

export async function listApiKeys(deps: ApiKeyDeps, principal: Principal): Promise<ApiKeyView[]> {
  authorize(principal, 'apikeys.list');
  return deps.store(principal).list();
}

export async function setApiKeyEnabled(
  deps: ApiKeyDeps,
  principal: Principal,
  origin: RequestOrigin,
  keyId: string,
  body: Deferred<{ enabled: boolean }>,
): Promise<ApiKeyView> {
  // Disabling is the lesser right (it only removes access); the body says whether enable is asked.
  authorize(principal, 'apikeys.disable');
  const { enabled } = body();
  if (enabled) authorize(principal, 'apikeys.enable');
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
  const refusal = decide(admin, 'admin.apikeys.disable');
  if (refusal) {
    await record('denied', refusal.code);
    throw refusal;
  }
  if (!deps.adminStore) throw new Error('admin key store not wired');
  const store = deps.adminStore(ownerId);
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
  authorize(principal, 'apikeys.revoke');
  const revoked = KEY_ID.test(keyId) ? await deps.store(principal).revoke(keyId) : false;
  await audit(deps, principal, origin, 'apikey.revoke', keyId, revoked ? 'allowed' : 'denied');
  if (!revoked) throw new ForbiddenError(API_KEY_NOT_FOUND_MESSAGE);
}
