// Local stand-ins for deployed secrets: taken from the environment, or generated once into DATA_DIR.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LocalSecret {
  readonly value: string;
  /** The file holding a generated secret (mode 0600); null when the value came from the environment. */
  readonly file: string | null;
}

export function localSecret(dataDir: string, name: string, fromEnv: string | undefined): LocalSecret {
  if (fromEnv) return { value: fromEnv, file: null };
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, `${name.toLowerCase()}.secret`);
  if (existsSync(file)) {
    chmodSync(file, 0o600); // owner only, also for a file an older version or a copy left wider
    return { value: readFileSync(file, 'utf8').trim(), file };
  }
  const value = randomBytes(32).toString('base64url');
  writeFileSync(file, value, { mode: 0o600 });
  return { value, file };
}
