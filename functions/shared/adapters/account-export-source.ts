// The account export's reads (core/account-export.ts), from the stores that already serve each
// part: the profile, the tasks and the key list (all small and capped), the thread export reader
// (paged and merged), and the caller's own audit list (newest first, a page at a time).
import type { AccountExportSource } from '../core/account-export';
import type { ApiKeyStore } from '../core/api-keys';
import type { AuditReader } from '../core/audit';
import type { Principal } from '../core/principal';
import type { TaskStore } from '../core/tasks/task';
import type { ExportedThread } from '../core/account-export';
import type { ProfileStore } from './profile-store';

/** Audit events per page read. */
const AUDIT_PAGE = 100;

export interface AccountExportStores {
  readonly profiles: (p: Principal) => ProfileStore;
  readonly threads: (userId: string) => () => AsyncIterable<ExportedThread>;
  readonly tasks: (p: Principal) => TaskStore;
  readonly apiKeys: (p: Principal) => ApiKeyStore;
  readonly audit: AuditReader;
}

export function accountExportSource(stores: AccountExportStores): (principal: Principal) => AccountExportSource {
  return (principal) => ({
    profile: () => stores.profiles(principal).getOrCreate(),
    threads: stores.threads(principal.userId),
    tasks: () => stores.tasks(principal).list(),
    apiKeys: () => stores.apiKeys(principal).list(),
    async *auditEvents(since) {
      const oldest = since.toISOString();
      for (let after = null as Parameters<AuditReader['list']>[0]['after']; ; ) {
        const page = await stores.audit.list({ actorId: principal.userId, limit: AUDIT_PAGE, after });
        for (const event of page.events) {
          // Expired events can linger until DynamoDB's TTL removes them; the export keeps to its window.
          if (event.at < oldest) return;
          yield event;
        }
        if (!page.next) return;
        after = page.next;
      }
    },
  });
}
