// The scoped credentials the functions would use for one user, fetched from the local STS with
// the same AssumeRole call (role, session tag `tenant`), for dev tooling and tests.
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { TenantIsolationInfo } from './tenant-isolation';

export interface TenantCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: string;
}

/** The session tag the tenant role's LeadingKeys condition reads (`${aws:PrincipalTag/tenant}`). */
export const TENANT_TAG = 'tenant';

/**
 * @param tenantIdOf - how a user id becomes the tag value (and the partition key's tenant part)
 * @throws the STS client's error when the local STS refuses
 */
export async function tenantCredentials(info: TenantIsolationInfo, userId: string, tenantIdOf: (userId: string) => string): Promise<TenantCredentials> {
  const sts = new STSClient({ endpoint: info.stsEndpoint, region: info.region, credentials: info.caller, maxAttempts: 1 });
  try {
    const tenant = tenantIdOf(userId);
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({ RoleArn: info.tenantRoleArn, RoleSessionName: `tenant-${tenant}`.slice(0, 64), Tags: [{ Key: TENANT_TAG, Value: tenant }] }),
    );
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) throw new Error('the local STS answered without credentials');
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration.toISOString() };
  } finally {
    sts.destroy();
  }
}
