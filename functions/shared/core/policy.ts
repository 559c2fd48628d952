// The one place that decides what a principal may do. Fed only by the verified principal.
import { AdminOnlyError, ForbiddenError, ReadOnlyError } from './errors';
import { isAdmin, type Principal } from './principal';

export type Action =
  | 'read' // read own data
  | 'write' // create, change or delete own data (also: posting a message)
  | 'admin.read' // support reads of another user's threads
  | 'admin.keys' // disable another user's API key
  | 'apikeys.manage' // list, disable or revoke own API keys (only removes access: guests may)
  | 'apikeys.create' // mint or re-enable own API keys (adds access)
  | 'session.end' // sign out everywhere
  | 'account.delete'; // delete own account and everything in it

/** Throws the documented 403 when `principal` may not perform `action`. */
export function authorize(principal: Principal, action: Action): void {
  switch (action) {
    case 'read':
      return;
    case 'write':
      if (principal.readOnly || principal.roles.includes('guest')) throw new ReadOnlyError();
      return;
    case 'admin.read':
    case 'admin.keys':
      // A key never carries admin (the authorizer strips it too); checked twice on purpose.
      if (!isAdmin(principal) || principal.authMethod !== 'jwt') throw new AdminOnlyError();
      return;
    case 'apikeys.manage':
      if (principal.authMethod !== 'jwt') throw new ForbiddenError('API keys can only be managed with a user token');
      return;
    case 'apikeys.create':
      if (principal.authMethod !== 'jwt') throw new ForbiddenError('API keys can only be managed with a user token');
      if (principal.readOnly || principal.roles.includes('guest')) throw new ReadOnlyError();
      return;
    case 'session.end':
      // API keys end with their own revoke; sign-out is about tokens.
      if (principal.authMethod !== 'jwt') throw new ForbiddenError('Sign-out needs a user token; disable or revoke an API key instead');
      return;
    case 'account.delete':
      // Only the account's own user token: an API key (even a full one) cannot delete its owner.
      if (principal.authMethod !== 'jwt') throw new ForbiddenError('Deleting an account needs a user token');
      return;
  }
}

/** Whether a principal may use write tools (agent tools list, ChatKit write requests). */
export function canWrite(principal: Principal): boolean {
  return !(principal.readOnly || principal.roles.includes('guest'));
}
