// One scoped credential per user, shared by every execution environment: a function that has no
// fresh credential for a user reads the one another environment stored before asking STS, so STS
// calls grow with users (one per user per hour), not with users times environments (bench:
// tenant-scale.ts; at 100,000 users over 2,000 environments, ~28/s instead of ~8,600/s).
//
// The item (TENANTCREDS#<tenant>) holds the credential sealed with AES-256-GCM under a key derived
// from CREDENTIALS_SECRET, the item's key bound in as associated data (a sealed credential copied to
// another tenant's item does not open), and expires with the credential (TTL). Functions reach the
// family with their own role (GetItem/PutItem only). What it costs: a table reader who also holds the
// secret could use a stored credential until it expires, on that one user's partitions; a function's
// role could already assume the tenant role for any user, so this widens nothing a function holds.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Tenant } from '../core/keys';
import type { SecretSource } from './secret-source';
import type { TenantCredentials } from './tenant-clients';

export interface SharedCredentialCache {
  get(tenant: Tenant): Promise<TenantCredentials | null>;
  put(tenant: Tenant, credentials: TenantCredentials): Promise<void>;
}

export const tenantCredentialsPk = (tenant: Tenant): string => `TENANTCREDS#${tenant}`;
const SK = 'CREDS';

export function dynamoCredentialCache(opts: { client: DynamoDBDocumentClient; tableName: string; secret: SecretSource }): SharedCredentialCache {
  let key: { secret: string; key: Buffer } | null = null;
  const keyFor = async (): Promise<Buffer> => {
    const secret = await opts.secret.get();
    if (key?.secret !== secret) key = { secret, key: Buffer.from(hkdfSync('sha256', secret, 'threadguard', 'tenant-credentials:v1', 32)) };
    return key.key;
  };
  return {
    async get(tenant) {
      const PK = tenantCredentialsPk(tenant);
      const item = (await opts.client.send(new GetCommand({ TableName: opts.tableName, Key: { PK, SK } }))).Item;
      if (typeof item?.box !== 'string') return null;
      try {
        const box = Buffer.from(item.box, 'base64');
        const decipher = createDecipheriv('aes-256-gcm', await keyFor(), box.subarray(0, 12));
        decipher.setAAD(Buffer.from(PK));
        decipher.setAuthTag(box.subarray(12, 28));
        const c = JSON.parse(Buffer.concat([decipher.update(box.subarray(28)), decipher.final()]).toString('utf8')) as Record<string, string>;
        return { accessKeyId: c.accessKeyId!, secretAccessKey: c.secretAccessKey!, sessionToken: c.sessionToken!, expiration: new Date(c.expiration!) };
      } catch {
        return null; // sealed under another secret (rotated) or not ours: ask STS instead
      }
    },
    async put(tenant, credentials) {
      const PK = tenantCredentialsPk(tenant);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', await keyFor(), iv);
      cipher.setAAD(Buffer.from(PK));
      const sealed = Buffer.concat([cipher.update(JSON.stringify({ ...credentials, expiration: credentials.expiration.toISOString() }), 'utf8'), cipher.final()]);
      const box = Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
      await opts.client.send(
        new PutCommand({ TableName: opts.tableName, Item: { PK, SK, type: 'tenantCredentials', box, expiresAt: Math.floor(credentials.expiration.getTime() / 1000) } }),
      );
    },
  };
}
