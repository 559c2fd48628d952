// The second wall in the local stack: every function reaches DynamoDB Local only through the
// enforcing endpoint, signing with its own execution-role credentials (whose policy is its grants in
// infra/routes.ts, as infra/tenant-access.ts writes them for the CDK stack), and reaches a user's
// partitions only with the tenant data role's credentials, assumed from the local STS with the
// `tenant` session tag. The same documents as deployed: a store bug fails here as it would in AWS.
import { randomBytes } from 'node:crypto';
import type { FunctionDef } from '../routes';
import { auditImmutableStatement, executionRoleStatements, policyDocument, tenantRoleStatements } from '../tenant-access';
import type { TenantSettings } from '../function-environment';
import type { ExecutionPrincipalConfig, TenantIsolationConfig } from './tenant-isolation/principals';
import { startTenantIsolation, type TenantIsolation, type TenantIsolationInfo } from './tenant-isolation/tenant-isolation';

const ACCOUNT = '000000000000';
const roleArnOf = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
export const LOCAL_TENANT_ROLE_ARN = roleArnOf('threadguard-tenant-data-local');

export interface LocalTenantWall {
  readonly isolation: TenantIsolation;
  /** What `local-stack.json` records (and `npm run tenant-credentials` reads). */
  readonly info: TenantIsolationInfo;
  /** A function's runtime environment: its own credentials, the wall's endpoints, the tenant settings. */
  runtimeFor(def: FunctionDef): Record<string, string>;
  readonly tenant: TenantSettings;
}

/**
 * @param defs every function of the stack (each gets its own execution role and credentials)
 * @param credentialsSecret seals the shared credential cache (tenant-credential-cache.ts)
 */
export async function startLocalTenantWall(opts: {
  dynamoDbLocalEndpoint: string;
  tableName: string;
  region: string;
  defs: readonly FunctionDef[];
  credentialsSecret: string;
}): Promise<LocalTenantWall> {
  const tableArn = `arn:aws:dynamodb:${opts.region}:${ACCOUNT}:table/${opts.tableName}`;
  const principals = new Map<string, ExecutionPrincipalConfig>();
  for (const def of opts.defs) {
    if (principals.has(def.dir)) continue;
    principals.set(def.dir, {
      accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      roleArn: roleArnOf(`threadguard-${def.dir}-local`),
      policies: [policyDocument([...executionRoleStatements(tableArn, def.table), auditImmutableStatement(tableArn)])],
      sessionName: `${def.dir}-local`,
    });
  }
  const trusted = opts.defs.filter((d) => d.table.includes('tenant')).map((d) => principals.get(d.dir)!.roleArn);
  const config: TenantIsolationConfig = {
    region: opts.region,
    accountId: ACCOUNT,
    principals: [...principals.values()],
    roles: { [LOCAL_TENANT_ROLE_ARN]: { policies: [policyDocument(tenantRoleStatements(tableArn))], trustedBy: [...new Set(trusted)] } },
  };
  const isolation = await startTenantIsolation({ dynamoDbLocalEndpoint: opts.dynamoDbLocalEndpoint, config });
  const anyTrusted = [...principals.values()].find((p) => trusted.includes(p.roleArn))!;
  return {
    isolation,
    info: {
      stsEndpoint: isolation.stsEndpoint,
      dynamodbEndpoint: isolation.dynamodbEndpoint,
      tenantRoleArn: LOCAL_TENANT_ROLE_ARN,
      caller: { accessKeyId: anyTrusted.accessKeyId, secretAccessKey: anyTrusted.secretAccessKey },
      region: opts.region,
    },
    tenant: { roleArn: LOCAL_TENANT_ROLE_ARN, credentialsSecret: { value: opts.credentialsSecret } },
    runtimeFor: (def) => {
      const p = principals.get(def.dir);
      return {
        DYNAMODB_ENDPOINT: isolation.dynamodbEndpoint,
        // The SDK's service-specific endpoint variable: the functions' STS client reaches the local STS.
        AWS_ENDPOINT_URL_STS: isolation.stsEndpoint,
        ...(p ? { AWS_ACCESS_KEY_ID: p.accessKeyId, AWS_SECRET_ACCESS_KEY: p.secretAccessKey } : {}),
      };
    },
  };
}
