// The deployment's key-encryption key (KEK): 32 bytes from KMS GenerateDataKey under the content
// key (a customer-managed KMS key), stored only KMS-wrapped (`KEYRING` / `KEK#<key digest>.<version>`) and
// unwrapped by KMS Decrypt at most once per execution environment per `maxAgeMs`. User keys are
// wrapped under it (envelope-cipher.ts), so KMS calls grow with environments, not with users (the
// Hierarchical keyring's idea; docs/architecture.md has the numbers). The encryption context names
// the purpose and version only: KMS logs it in CloudTrail.
// https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKey.html
import { createHash } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ContentUnreadableError, ServiceUnavailableError } from '../core/errors';
import { keys } from '../core/keys';
import type { Clock } from '../core/ports';
import { isConditionFailed } from './dynamo-writes';
import { KEK_PURPOSE } from './kms-context';
import { keyCache } from './key-cache';

export interface KeySource {
  /** The KEK new user keys are wrapped under. */
  current(): Promise<{ readonly id: string; readonly key: Uint8Array }>;
  /** The KEK of that version (a user key row names the one it was wrapped under). */
  get(id: string): Promise<Uint8Array>;
}

/**
 * A KEK's id: the KMS key it is wrapped under (a digest of its id) and a version. Databases shared by
 * two deployments or local stacks with different KMS keys then keep one KEK each instead of one
 * that only the first key opens. Rotation adds versions; each stays readable until its user keys
 * are re-wrapped.
 */
const kekIdFor = (keyId: string, version: number): string => `${createHash('sha256').update(keyId).digest('hex').slice(0, 16)}.${version}`;

/** KMS's answers for a ciphertext that is not this key's or context's. */
const NOT_OURS = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);

export interface KmsKeySourceProps {
  readonly kms: KMSClient;
  /** The content key's id or ARN (KMS_KEY_ID). */
  readonly keyId: string;
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock: Clock;
  /** @default 300_000 (5 minutes) */
  readonly maxAgeMs?: number;
}

/** How long a client waits after KMS throttled or failed (its own retries already ran). */
const KMS_RETRY_AFTER_SECONDS = 2;

/**
 * Throttling, an outage or a denied call: content can be neither sealed nor opened, so the request
 * is a retryable 503, never a 500 (https://docs.aws.amazon.com/kms/latest/developerguide/throttling.html).
 */
const kmsUnavailable = (err: unknown) =>
  new ServiceUnavailableError(KMS_RETRY_AFTER_SECONDS, undefined, { cause: err, dependency: 'kms' });

export function kmsKeySource({ kms, keyId, client, tableName, clock, maxAgeMs = 300_000 }: KmsKeySourceProps): KeySource {
  const cache = keyCache<Uint8Array>({ maxEntries: 8, maxAgeMs, clock });
  const currentId = kekIdFor(keyId, 1);
  const context = (version: string) => ({ 'tg:purpose': KEK_PURPOSE, 'tg:kek': version });
  const row = (version: string) => ({ PK: keys.keyringPk(), SK: keys.kekSk(version) });

  async function unwrap(version: string, blob: Uint8Array): Promise<Uint8Array> {
    try {
      const res = await kms.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: blob, EncryptionContext: context(version) }));
      return res.Plaintext!;
    } catch (err) {
      // Wrapped under another KMS key or context: what it wraps does not open here (anything else, e.g. throttling, is rethrown).
      if (NOT_OURS.has((err as Error).name)) throw new ContentUnreadableError(keys.kekSk(version), 'wrapped', { cause: err });
      throw kmsUnavailable(err);
    }
  }

  async function load(version: string, create: boolean): Promise<Uint8Array> {
    const res = await client.send(new GetCommand({ TableName: tableName, Key: row(version), ConsistentRead: true }));
    if (res.Item?.wrapped instanceof Uint8Array) return unwrap(version, res.Item.wrapped);
    if (!create) throw new ContentUnreadableError(keys.kekSk(version), 'wrapped'); // a user key wrapped under a KEK this table no longer has
    const made = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context(version) })).catch((err: unknown) => {
      throw kmsUnavailable(err);
    });
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...row(version), type: 'kek', wrapped: made.CiphertextBlob, keyId: made.KeyId, createdAt: clock.now().toISOString() },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return made.Plaintext!;
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      return load(version, false); // another environment created it first
    }
  }

  return {
    current: async () => ({ id: currentId, key: await cache.get(currentId, () => load(currentId, true)) }),
    get: (id) => cache.get(id, () => load(id, false)),
  };
}
