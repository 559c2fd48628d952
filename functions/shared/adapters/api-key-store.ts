// API keys in DynamoDB: the lookup item (APIKEY#<sha256>, read by the authorizer), the owner's
// reference item (USER#<tenant> / APIKEYREF#<id>, listed) and a per-user counter. The owner's items
// are written with the owner's scoped client and the lookup with the function's own (its role may
// touch only APIKEY#* items), so no single credential spans a user partition and the cross-user
// lookup family, and no transaction can join them. The order keeps the rule that the authorizer
// never honours a key its owner cannot see: a key appears in the owner's list before its lookup
// exists and leaves it after; it is disabled at the lookup first and enabled there last. A failure
// between the two writes leaves a listed key that does not work (revoke it, or retry), never the
// reverse.
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyStore, ApiKeyView, StoredApiKey } from '../core/api-keys';
import { keys } from '../core/keys';
import { normalizeScopes, READ_SCOPES, SCOPES } from '../core/scopes';
import type { Principal } from '../core/principal';
import { queryAll } from './dynamo-reads';
import { isOwnEarlierWrite, TransactionCancelled, transactWrite, writeIf } from './dynamo-writes';
import { userPartition, type TenantClients } from './tenant-clients';

function view(item: Record<string, unknown>): ApiKeyView {
  const readOnly = item.readOnly === true;
  return {
    id: String(item.id),
    name: String(item.name),
    readOnly,
    enabled: item.enabled === true,
    createdAt: String(item.createdAt),
    lastUsedAt: typeof item.lastUsedAt === 'string' ? item.lastUsedAt : null,
    expiresAt: typeof item.expiresAt === 'string' ? item.expiresAt : null,
    // A key made before scopes existed has its owner's rights: every scope, or the read ones.
    scopes: Array.isArray(item.scopes) ? normalizeScopes(item.scopes) : [...(readOnly ? READ_SCOPES : SCOPES)],
  };
}

export function dynamoApiKeyStore(clients: TenantClients, tableName: string): (principal: Principal) => ApiKeyStore {
  const forUser = partitionKeyStore(clients, tableName);
  return (principal) => forUser(principal.userId);
}

/** Another user's keys, for an admin the use case has authorized (core/api-keys.ts, adminDisableApiKey). */
export function dynamoAdminApiKeyStore(clients: TenantClients, tableName: string): (ownerId: string) => Pick<ApiKeyStore, 'setEnabled'> {
  return partitionKeyStore(clients, tableName);
}

function partitionKeyStore(clients: TenantClients, tableName: string): (userId: string) => ApiKeyStore {
  const lookups = clients.shared;
  return (ownerId) => {
    const { client, pk: userPk } = userPartition(clients, ownerId);
    const refKey = (keyId: string) => ({ PK: userPk, SK: keys.apiKeyRefSk(keyId) });
    const lookupKey = (hash: string) => ({ PK: keys.apiKeyLookupPk(hash), SK: keys.apiKeyLookupSk() });
    const counterKey = { PK: userPk, SK: keys.apiKeyCounterSk() };
    const counter = (delta: number, max?: number) => ({
      Update: {
        TableName: tableName,
        Key: counterKey,
        UpdateExpression: 'ADD keyCount :delta SET #type = :type',
        ...(max !== undefined ? { ConditionExpression: 'attribute_not_exists(keyCount) OR keyCount < :max' } : {}),
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':delta': delta, ':type': 'apiKeyCounter', ...(max !== undefined ? { ':max': max } : {}) },
      },
    });

    const getRef = async (keyId: string) =>
      (await client.send(new GetCommand({ TableName: tableName, Key: refKey(keyId), ConsistentRead: true }))).Item;

    /** The lookup's `enabled`; false when the lookup is gone (revoked meanwhile). */
    const setLookup = (hash: string, enabled: boolean): Promise<boolean> =>
      writeIf(
        lookups.send(
          new UpdateCommand({
            TableName: tableName,
            Key: lookupKey(hash),
            UpdateExpression: 'SET enabled = :e',
            ConditionExpression: 'attribute_exists(PK) AND ownerId = :owner',
            ExpressionAttributeValues: { ':e': enabled, ':owner': ownerId },
          }),
        ),
      );

    const setRef = (keyId: string, enabled: boolean, at: string): Promise<boolean> =>
      writeIf(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: refKey(keyId),
            UpdateExpression: 'SET enabled = :e, updatedAt = :at',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeValues: { ':e': enabled, ':at': at },
          }),
        ),
      );

    return {
      async create(key: StoredApiKey, maxKeys: number) {
        const { keyHash, ...shown } = key;
        // 1. The owner's reference and counter, together (the cap holds under racing creates).
        try {
          await transactWrite(client, [
            { Put: { TableName: tableName, Item: { ...refKey(key.id), type: 'apiKeyRef', ...shown, keyHash }, ConditionExpression: 'attribute_not_exists(PK)' } },
            counter(1, maxKeys),
          ]);
        } catch (err) {
          // Only the counter's condition can fail for a fresh random key; anything else is a fault.
          if (err instanceof TransactionCancelled && err.reasons[1]?.Code === 'ConditionalCheckFailed') return 'limit';
          throw err;
        }
        // 2. The lookup, which makes the key work; undone in the owner's partition if it fails.
        // What the authorizer decides with: its expiry and scopes are never changed after this put.
        const lookup = {
          ...lookupKey(keyHash),
          type: 'apiKey',
          keyId: key.id,
          ownerId,
          readOnly: key.readOnly,
          enabled: true,
          createdAt: key.createdAt,
          scopes: [...key.scopes],
          ...(key.expiresAt ? { expiresAt: key.expiresAt } : {}),
        };
        try {
          await lookups.send(new PutCommand({ TableName: tableName, Item: lookup, ConditionExpression: 'attribute_not_exists(PK)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
        } catch (err) {
          // An SDK retry of a put whose answer was lost finds its own item: the key was written.
          if (isOwnEarlierWrite(err, lookup, ['keyId', 'ownerId', 'createdAt'])) return 'created';
          await transactWrite(client, [{ Delete: { TableName: tableName, Key: refKey(key.id) } }, counter(-1)]);
          throw err;
        }
        return 'created';
      },

      async list() {
        const rows = await queryAll(client, {
            TableName: tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': userPk, ':prefix': keys.apiKeyRefSkPrefix() },
          ConsistentRead: true,
          ScanIndexForward: false,
        });
        return rows.map(view);
      },

      async setEnabled(keyId, enabled, at) {
        const ref = await getRef(keyId);
        if (!ref) return null;
        const hash = String(ref.keyHash);
        // Access is removed at the lookup first and granted there last.
        const done = enabled ? (await setRef(keyId, true, at)) && (await setLookup(hash, true)) : (await setLookup(hash, false)) && (await setRef(keyId, false, at));
        return done ? view({ ...ref, enabled }) : null; // revoked meanwhile
      },

      async isActive(keyId) {
        return (await getRef(keyId))?.enabled === true;
      },

      async revoke(keyId) {
        const ref = await getRef(keyId);
        if (!ref) return false;
        // The lookup first: from here on the key works nowhere.
        await lookups.send(new DeleteCommand({ TableName: tableName, Key: lookupKey(String(ref.keyHash)), ConditionExpression: 'attribute_not_exists(PK) OR ownerId = :owner', ExpressionAttributeValues: { ':owner': ownerId } }));
        try {
          await transactWrite(client, [{ Delete: { TableName: tableName, Key: refKey(keyId), ConditionExpression: 'attribute_exists(PK)' } }, counter(-1)]);
        } catch (err) {
          if (err instanceof TransactionCancelled && err.failedCondition() >= 0) return false; // revoked by a concurrent request
          throw err;
        }
        return true;
      },
    };
  };
}
