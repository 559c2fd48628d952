// The one place a function's environment is built, for the CDK stack and the local stack alike:
// exactly the settings and secrets its definition in routes.ts declares, nothing shared.
import type { FunctionDef, SecretName, Setting } from './routes';

/**
 * Deployed: the secret's ARN (the function reads it at cold start); locally: the value itself;
 * null: not configured here (the OpenAI key unless the provider is OpenAI), so left out.
 */
type SecretRef = { readonly arn: string } | { readonly value: string } | null;

export type Settings = Readonly<Record<Setting, string>>;

/**
 * @param tenantRoleArn the tenant data role, given to the functions granted `tenant` (they assume it
 *   per user, functions/shared/adapters/tenant-clients.ts).
 */
export function functionEnvironment(def: FunctionDef, settings: Settings, secrets: Readonly<Record<SecretName, SecretRef>>, tenantRoleArn?: string): Record<string, string> {
  const env: Record<string, string> = { POWERTOOLS_SERVICE_NAME: `threadguard-${def.dir}` };
  if (def.table.includes('tenant') && tenantRoleArn) env.TENANT_ROLE_ARN = tenantRoleArn;
  // An empty setting (e.g. JWKS_URI when derived from the issuer) is left out, not set to "".
  for (const name of def.env) if (settings[name] !== '') env[name] = settings[name];
  for (const name of def.secrets ?? []) {
    const ref = secrets[name];
    if (ref === null) continue;
    if ('arn' in ref) env[`${name}_ARN`] = ref.arn;
    else env[name] = ref.value;
  }
  return env;
}
