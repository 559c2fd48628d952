// A record of every credential the integration run uses (tokens, API keys, webhook secrets) and of
// any response that echoed one, kept in the stack's DATA_DIR so the last test file (zz-secrets-in-
// logs) can check the whole run's logs, database and responses for them (THREATS T11).
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

/** Shorter values (e.g. `Bearer`, `abc`) would match ordinary text; real credentials are longer. */
export const MIN_CREDENTIAL_LENGTH = 16;
export const USED_CREDENTIALS_FILE = 'used-credentials.txt';
export const ECHOED_CREDENTIALS_FILE = 'echoed-credentials.txt';

function dataDir(): string | undefined {
  try {
    return inject('dataDir');
  } catch {
    return undefined; // outside the integration project
  }
}

/** Call for every token, key or secret a test mints or sends. */
export function recordCredential(value: string | undefined): void {
  const dir = dataDir();
  if (!dir || !value || value.length < MIN_CREDENTIAL_LENGTH) return;
  appendFileSync(join(dir, USED_CREDENTIALS_FILE), `${JSON.stringify(value)}\n`);
}

/** Notes a response that contained a credential sent with its request (never expected). */
export function recordEcho(what: string): void {
  const dir = dataDir();
  if (dir) appendFileSync(join(dir, ECHOED_CREDENTIALS_FILE), `${what}\n`);
}
