// The local stack as every benchmark starts it: a free port, its own data directory, signed in
// through the dev issuer (whatever JWT_ISSUER / JWKS_URI the shell holds), its log lines dropped.
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../infra/local/stack';

export function benchStack(
  dataDir: string,
  opts: { readonly env?: Record<string, string | undefined> } & Pick<LocalStackOptions, 'functionsDynamodbEndpoint'> = {},
): Promise<LocalStack> {
  return startLocalStack({
    port: 0,
    dataDir,
    env: { ...process.env, JWT_ISSUER: undefined, JWKS_URI: undefined, ...opts.env },
    log: () => undefined,
    functionsDynamodbEndpoint: opts.functionsDynamodbEndpoint,
  });
}
