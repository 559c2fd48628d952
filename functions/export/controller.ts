// GET /me/export: the caller's whole account as one JSON document, streamed as it is read
// (core/account-export.ts). Every refusal (rate limit, credentials) comes before the stream opens.
import { exportAccount, type AccountExportDeps } from '../shared/core/account-export';
import type { StreamingController } from '../shared/lambda/streaming-handler';
import { threadAccessOf } from '../shared/lambda/validation';
import { logger } from '../shared/lambda/logger';

const ROUTE = 'GET /me/export';

export function exportRoutes(deps: AccountExportDeps): Readonly<Record<string, StreamingController>> {
  return {
    [ROUTE]: async (req) => {
      const { principal, origin } = threadAccessOf(req);
      const chunks = await exportAccount(deps, principal, origin);
      return {
        statusCode: 200,
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Disposition': 'attachment; filename="threadguard-export.json"' },
        stream: chunks,
        // Status and headers are gone by now: the document is left unclosed (it does not parse and
        // has no `"complete": true`), which tells the client to export again.
        onError: (err) => {
          logger.error('export failed mid-stream', { route: ROUTE, error: err as Error });
          return '';
        },
      };
    },
  };
}
