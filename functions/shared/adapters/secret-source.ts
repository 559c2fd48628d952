// A secret read once per cold start: from Secrets Manager when deployed (`<NAME>_ARN` is set), or
// from the environment locally. `refresh()` re-reads it, e.g. after a compare fails following rotation.
// Loaded on the first read from Secrets Manager, so a function that never reads a secret never loads the SDK.
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../core/errors';

export interface SecretSource {
  get(): Promise<string>;
  /** Re-read from the source; returns the new value. Calls made within `minRefreshMs` reuse the last read. */
  refresh(): Promise<string>;
}

export interface SecretSourceOptions {
  /** Env var holding the plain value (local stack), e.g. WEBHOOK_TOKEN. */
  readonly name: string;
  readonly env: Record<string, string | undefined>;
  /** Injected for tests; built lazily otherwise, so local runs never touch AWS. */
  readonly client?: Pick<SecretsManagerClient, 'send'>;
  /** @default 5000 — bounds how often a stream of bad requests can make us call Secrets Manager. */
  readonly minRefreshMs?: number;
  readonly now?: () => number;
  /** Checks and normalises each value read; receives the variable it came from, for its error. */
  readonly normalize?: (value: string, variable: string) => string;
}

export function secretSource(opts: SecretSourceOptions): SecretSource {
  const arn = opts.env[`${opts.name}_ARN`];
  const plain = opts.env[opts.name];
  if (!arn && !plain) throw new ConfigError(`Invalid configuration: ${opts.name}: required (or ${opts.name}_ARN)`);
  const now = opts.now ?? Date.now;
  const minRefreshMs = opts.minRefreshMs ?? 5000;
  let client = opts.client;
  let current: Promise<string> | null = null;
  let readAt = 0;

  const normalize = opts.normalize ?? ((v: string) => v);
  // A bad plain value fails the cold start, naming the variable.
  const checkedPlain = plain && !arn ? normalize(plain, opts.name) : undefined;
  const read = async (): Promise<string> => {
    if (!arn) return checkedPlain as string;
    const sdk = await import('@aws-sdk/client-secrets-manager');
    client ??= new sdk.SecretsManagerClient({});
    const res = await client.send(new sdk.GetSecretValueCommand({ SecretId: arn }));
    if (!res.SecretString) throw new ConfigError(`Invalid configuration: ${opts.name}_ARN: secret has no string value`);
    return normalize(res.SecretString, `${opts.name}_ARN`);
  };
  const load = () => {
    readAt = now();
    current = read();
    current.catch(() => (current = null)); // a failed read is retried on next use
    return current;
  };
  return {
    get: () => current ?? load(),
    refresh: () => (current && now() - readAt < minRefreshMs ? current : load()),
  };
}
