// THE place that decides what a principal may do: one row per action, each row the checks it needs.
// Fed only by the verified principal. Use cases call `authorize` before any lookup or body parse;
// nothing else (controllers, adapters) decides access. "Who may disable an API key?" is the
// `apikeys.disable` and `admin.apikeys.disable` rows below.
import { AdminOnlyError, ForbiddenError, MissingScopeError, ReadOnlyError, type DomainError } from './errors';
import { isAdmin, type Principal } from './principal';
import type { Scope } from './scopes';

/** One requirement: null when met, else the documented refusal. */
type Check = (principal: Principal) => DomainError | null;

const KEYS_NEED_TOKEN = 'API keys can only be managed with a user token';
const SIGN_OUT_NEEDS_TOKEN = 'Sign-out needs a user token; disable or revoke an API key instead';

/** Guests and read-only keys only read. */
const writer: Check = (p) => (canWrite(p) ? null : new ReadOnlyError());
/** A key limited to scopes must hold this one; a caller without a scope list is not limited by scope. */
const scope =
  (needed: Scope): Check =>
  (p) =>
    !p.scopes || p.scopes.includes(needed) ? null : new MissingScopeError(needed);
/** A user's token, not an API key. */
const userToken =
  (message: string): Check =>
  (p) =>
    p.authMethod === 'jwt' ? null : new ForbiddenError(message);
/** An admin, with a token: a key never carries admin (the authorizer strips it too); checked twice on purpose. */
const adminWithToken: Check = (p) => (isAdmin(p) && p.authMethod === 'jwt' ? null : new AdminOnlyError());

/**
 * The policy table. Removing access is open to guests (disable, revoke, sign out); adding access
 * (create, enable) needs write rights; reading another user's data needs an admin's token and is
 * audited by the use case.
 */
export const POLICY = {
  /** List and read own threads and their items. */
  'threads.read': [scope('threads:read')],
  /** Create, rename or delete own threads (ChatKit feedback too). */
  'threads.write': [writer, scope('threads:write')],
  /** Post a message and get the agent's reply (REST, SSE, WebSocket, ChatKit's streaming types). */
  'messages.write': [writer, scope('messages:write')],
  /** List own tasks; the agent's list_tasks tool. */
  'tasks.read': [scope('tasks:read')],
  /** Create, change or delete own tasks; the agent's write tools. */
  'tasks.write': [writer, scope('tasks:write')],
  /** Export one's own account (GET /me/export): any role, but a scoped key needs both read scopes. */
  'account.export': [scope('threads:read'), scope('tasks:read')],
  /** One's own usage and budget (GET /me/usage): any caller, whatever its role or scopes. */
  'usage.read': [],
  /** Support reads of another user's threads and items. */
  'admin.read': [adminWithToken],
  /** The audit trail of every user. */
  'audit.read': [adminWithToken],
  /** Another user's usage and the ranking of users by a day's tokens. */
  'admin.usage.read': [adminWithToken],
  /** Set or clear another user's token budget. */
  'admin.budget.set': [adminWithToken],
  /** Disable another user's API key. */
  'admin.apikeys.disable': [adminWithToken],
  'apikeys.list': [userToken(KEYS_NEED_TOKEN)],
  'apikeys.disable': [userToken(KEYS_NEED_TOKEN)],
  'apikeys.revoke': [userToken(KEYS_NEED_TOKEN)],
  'apikeys.create': [userToken(KEYS_NEED_TOKEN), writer],
  'apikeys.enable': [userToken(KEYS_NEED_TOKEN), writer],
  /** Sign out everywhere: about tokens; an API key ends with its own revoke. */
  'session.end': [userToken(SIGN_OUT_NEEDS_TOKEN)],
  /** Delete one's own account and everything in it: only the account's own user token, never a key. */
  'account.delete': [userToken('Deleting an account needs a user token')],
} as const satisfies Record<string, readonly Check[]>;

export type Action = keyof typeof POLICY;

export const ACTIONS = Object.keys(POLICY) as Action[];

/** The refusal `principal` gets for `action`, or null when allowed. */
export function decide(principal: Principal, action: Action): DomainError | null {
  for (const check of POLICY[action] as readonly Check[]) {
    const refusal = check(principal);
    if (refusal) return refusal;
  }
  return null;
}

/** Throws the documented 403 when `principal` may not perform `action`. */
export function authorize(principal: Principal, action: Action): void {
  const refusal = decide(principal, action);
  if (refusal) throw refusal;
}

/** Whether a principal may write at all (guests and read-only keys may not), whatever its scopes. */
export function canWrite(principal: Principal): boolean {
  return !(principal.readOnly || principal.roles.includes('guest'));
}
