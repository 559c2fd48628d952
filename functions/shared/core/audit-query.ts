// GET /admin/audit as a use case: admins only, newest first, cursors bound to the admin and filter.
import { authorize } from './policy';
import type { Deferred, MessageSigner } from './ports';
import type { Principal } from './principal';
import type { AuditEvent, AuditPosition, AuditReader } from './audit';
import { signCursor, verifyCursor } from './cursor';
import { ValidationError } from './errors';

export interface ListAuditInput {
  readonly userId: string | null;
  readonly limit: number;
  readonly cursor: string | null;
}

export interface ListAuditDeps {
  readonly reader: AuditReader;
  readonly cursorSigner: () => Promise<MessageSigner>;
}

const binding = (admin: Principal, filter: string | null) =>
  JSON.stringify(['admin-audit', admin.userId, filter]);

function asPosition(value: Record<string, unknown>): AuditPosition {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new ValidationError('Invalid cursor');
    out[k] = v;
  }
  return out;
}

export async function listAudit(
  deps: ListAuditDeps,
  principal: Principal,
  query: Deferred<ListAuditInput>,
): Promise<{ data: AuditEvent[]; nextCursor: string | null }> {
  authorize(principal, 'audit.read');
  const input = query();
  const signer = await deps.cursorSigner();
  const bind = binding(principal, input.userId);
  const after = input.cursor === null ? null : asPosition(verifyCursor(signer, bind, input.cursor));
  const page = await deps.reader.list({ actorId: input.userId, limit: input.limit, after });
  return { data: page.events, nextCursor: page.next ? signCursor(signer, bind, page.next) : null };
}
