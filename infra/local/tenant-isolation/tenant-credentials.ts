// The scoped credentials the functions would use for one user, fetched from the local STS with
// the same AssumeRole call (role, session tag `tenant`), for dev tooling and tests.
import { STSClient } from '@aws-sdk/client-sts';
import { stsTenantCredentials } from '../../../functions/shared/adapters/tenant-clients';
import { tenantIdOf } from '../../../functions/shared/adapters/tenant-id';
import type { TenantIsolationInfo } from './tenant-isolation';

export interface TenantCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: string;
}

/**
 * The very call the functions make (functions/shared/adapters/tenant-clients.ts), from an execution
 * role the tenant role trusts.
 * @throws the STS client's error (a 503 ServiceUnavailableError wrapping it) when the local STS refuses
 */
export async function tenantCredentials(info: TenantIsolationInfo, userId: string): Promise<TenantCredentials> {
  const sts = new STSClient({ endpoint: info.stsEndpoint, region: info.region, credentials: info.caller, maxAttempts: 1 });
  try {
    const c = await stsTenantCredentials(info.tenantRoleArn, sts)(tenantIdOf(userId));
    return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: c.expiration.toISOString() };
  } finally {
    sts.destroy();
  }
}
