// The one place a function's environment is built, for the CDK stack and the local stack alike:
// exactly the settings and secrets its definition in routes.ts declares, nothing shared.
import type { FunctionDef, SecretName, Setting } from './routes';

/**
 * Deployed: the secret's ARN (the function reads it at cold start); locally: the value itself;
 * null: not configured here (the OpenAI key unless the provider is OpenAI), so left out.
 */
type SecretRef = { readonly arn: string } | { readonly value: string } | null;

export type Settings = Readonly<Record<Setting, string>>;

/** What the functions granted `tenant` get: the role they assume per user and the shared credential cache's secret. */
export interface TenantSettings {
  readonly roleArn: string;
  readonly credentialsSecret: SecretRef;
}

/** @param tenant for the functions granted `tenant` (functions/shared/adapters/tenant-clients.ts). */
export function functionEnvironment(def: FunctionDef, settings: Settings, secrets: Readonly<Record<SecretName, SecretRef>>, tenant?: TenantSettings): Record<string, string> {
  const env: Record<string, string> = { POWERTOOLS_SERVICE_NAME: `threadguard-${def.dir}` };
  if (def.table.includes('tenant') && tenant) {
    env.TENANT_ROLE_ARN = tenant.roleArn;
    putSecret(env, 'CREDENTIALS_SECRET', tenant.credentialsSecret);
  }
  // An empty setting (e.g. JWKS_URI when derived from the issuer) is left out, not set to "".
  for (const name of def.env) if (settings[name] !== '') env[name] = settings[name];
  for (const name of def.secrets ?? []) putSecret(env, name, secrets[name]);
  return env;
}

function putSecret(env: Record<string, string>, name: string, ref: SecretRef): void {
  if (ref === null) return;
  if ('arn' in ref) env[`${name}_ARN`] = ref.arn;
  else env[name] = ref.value;
}
