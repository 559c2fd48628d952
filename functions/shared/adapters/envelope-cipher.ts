// ContentCipher over the AWS Encryption SDK for JavaScript: every field is its own ESDK message,
// under the owner's user key (a raw AES keyring), with an encryption context naming the owner, the
// record and the field (never content). A user key is 32 random bytes, stored wrapped in the owner's
// own partition (`USER#<id>` / `KEY`) under the deployment's key-encryption key (kek-source.ts);
// deleting that row shreds every copy of the user's content. Unwrapped user keys are cached per
// execution environment (bounded size and age), so a warm request costs no KMS and no extra read.
// https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/use-raw-aes-keyring.html
import { randomBytes } from 'node:crypto';
import { buildDecrypt } from '@aws-crypto/decrypt-node';
import { buildEncrypt } from '@aws-crypto/encrypt-node';
import { AlgorithmSuiteIdentifier, CommitmentPolicy, type EncryptionContext } from '@aws-crypto/material-management-node';
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/raw-aes-keyring-node';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ContentCipher, UserCipher } from '../core/content-cipher';
import { ContentUnreadableError } from '../core/errors';
import { keys } from '../core/keys';
import type { Clock } from '../core/ports';
import { isConditionFailed } from './dynamo-writes';
import { keyCache } from './key-cache';
import type { KeySource } from './kek-source';
import { tenantIdOf } from './tenant-id';

/** Committing, unsigned: a ciphertext opens under one key only, and no per-field ECDSA cost. */
const SUITE = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
const CLIENT = { commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, maxEncryptedDataKeys: 1 } as const;
const { encrypt } = buildEncrypt(CLIENT);
const { decrypt } = buildDecrypt(CLIENT);
const NAMESPACE = 'threadguard';
/** Encryption-context keys (logged nowhere but bound into every message; never content). */
export const CONTEXT_KEYS = { user: 'tg:user', record: 'tg:record', field: 'tg:field', purpose: 'tg:purpose' } as const;
/** A field's ESDK message is far below this; a larger one is not ours. */
const MAX_BODY_BYTES = 1 << 20;

/**
 * An AES-256 keyring: `name` goes into the message header, so it names the role, not the owner. The
 * ESDK wants the key in a buffer of its own (not a view into a pooled one), hence the copy.
 */
const keyring = (name: string, key: Uint8Array) =>
  new RawAesKeyringNode({ keyNamespace: NAMESPACE, keyName: name, unencryptedMasterKey: new Uint8Array(key), wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING });

export async function sealWith(ring: RawAesKeyringNode, context: EncryptionContext, plaintext: Uint8Array | string): Promise<Uint8Array> {
  const { result } = await encrypt(ring, plaintext, { suiteId: SUITE, encryptionContext: context });
  return new Uint8Array(result);
}

/**
 * Opens a message and checks that its encryption context is exactly `context`: the ESDK
 * authenticates the context the message carries, so a message moved elsewhere would still open
 * under the right key; it is this comparison that binds it to its place.
 * https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/concepts.html#encryption-context
 */
export async function openWith(ring: RawAesKeyringNode, context: EncryptionContext, sealed: Uint8Array): Promise<Buffer | null> {
  try {
    const { plaintext, messageHeader } = await decrypt(ring, sealed, { maxBodySize: MAX_BODY_BYTES });
    const got = messageHeader.encryptionContext;
    const same = Object.keys(got).length === Object.keys(context).length && Object.entries(context).every(([k, v]) => got[k] === v);
    return same ? plaintext : null;
  } catch {
    return null; // another key, a tampered or truncated message: unreadable here, whatever the cause
  }
}

export interface EnvelopeCipherProps {
  /**
   * The client that reaches this user's own partition (where the user key row lives): with
   * tenant-scoped credentials, the user's scoped client.
   */
  readonly clientFor: (userId: string) => DynamoDBDocumentClient;
  readonly tableName: string;
  /** The key-encryption key user keys are wrapped under (KMS-backed, cached per environment). */
  readonly keks: KeySource;
  readonly clock: Clock;
  /** @default 1000 user keys */
  readonly maxCachedUsers?: number;
  /** @default 300_000 (5 minutes) */
  readonly maxKeyAgeMs?: number;
  /** Called when a user key row will not unwrap (tampered, or wrapped for someone else). */
  readonly onUnreadable?: (detail: { userId: string; record: string; field: string }) => void;
}

interface UserKeyRow {
  readonly kek: string;
  readonly wrapped: Uint8Array;
}

export function envelopeCipher(props: EnvelopeCipherProps): ContentCipher & { readonly cachedUsers: () => number } {
  const { clientFor, tableName, keks, clock } = props;
  const cache = keyCache<RawAesKeyringNode | null>({ maxEntries: props.maxCachedUsers ?? 1000, maxAgeMs: props.maxKeyAgeMs ?? 300_000, clock });
  const keyContext = (userId: string): EncryptionContext => ({ [CONTEXT_KEYS.user]: userId, [CONTEXT_KEYS.purpose]: 'user-key' });
  const keyRow = (userId: string) => ({ PK: keys.userPk(tenantIdOf(userId)), SK: keys.userKeySk() });

  async function readRow(userId: string): Promise<UserKeyRow | null> {
    const res = await clientFor(userId).send(new GetCommand({ TableName: tableName, Key: keyRow(userId), ConsistentRead: true }));
    const row = res.Item;
    return row && row.wrapped instanceof Uint8Array ? { kek: String(row.kek), wrapped: row.wrapped } : null;
  }

  async function unwrap(userId: string, row: UserKeyRow): Promise<RawAesKeyringNode> {
    const kek = await keks.get(row.kek);
    const key = await openWith(keyring('kek', kek), keyContext(userId), row.wrapped);
    if (!key || key.length !== 32) throw new ContentUnreadableError(keys.userKeySk(), 'wrapped');
    return keyring('user', key);
  }

  /** The user's key; created (once, whoever races) when `create` and there is none yet. */
  async function load(userId: string, create: boolean): Promise<RawAesKeyringNode | null> {
    const row = await readRow(userId);
    if (row) return unwrap(userId, row);
    if (!create) return null;
    const { id, key: kek } = await keks.current();
    const key = randomBytes(32);
    const fresh: UserKeyRow = { kek: id, wrapped: await sealWith(keyring('kek', kek), keyContext(userId), key) };
    try {
      await clientFor(userId).send(
        new PutCommand({
          TableName: tableName,
          Item: { ...keyRow(userId), type: 'userkey', ...fresh, createdAt: clock.now().toISOString() },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return keyring('user', key);
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      const winner = await readRow(userId); // another request created it first: use theirs
      if (!winner) throw err;
      return unwrap(userId, winner);
    }
  }

  async function keyFor(userId: string, create: boolean): Promise<RawAesKeyringNode | null> {
    const cached = await cache.get(userId, () => load(userId, create));
    if (cached || !create) return cached;
    cache.delete(userId); // "no key yet" was cached by a read; a write creates one
    return cache.get(userId, () => load(userId, true));
  }

  const forUser = (userId: string): UserCipher => {
    const context = (record: string, field: string): EncryptionContext => ({ [CONTEXT_KEYS.user]: userId, [CONTEXT_KEYS.record]: record, [CONTEXT_KEYS.field]: field });
    return {
      async seal(record, field, plaintext) {
        const ring = (await keyFor(userId, true))!;
        return sealWith(ring, context(record, field), plaintext);
      },
      async open(record, field, sealed) {
        const ring = await keyFor(userId, false);
        const plain = ring ? await openWith(ring, context(record, field), sealed) : null;
        if (plain === null) {
          props.onUnreadable?.({ userId, record, field });
          throw new ContentUnreadableError(record, field);
        }
        return plain.toString('utf8');
      },
    };
  };

  return {
    forUser,
    async destroyUserKey(userId) {
      cache.delete(userId);
      await clientFor(userId).send(new DeleteCommand({ TableName: tableName, Key: keyRow(userId) }));
    },
    cachedUsers: () => cache.size,
  };
}
