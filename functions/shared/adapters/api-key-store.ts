// API keys in DynamoDB: the lookup item (APIKEY#<sha256>, read by the authorizer), the owner's
// reference item (USER#<owner> / APIKEYREF#<id>, listed) and a per-user counter, always changed
// together in one transaction so the authorizer never sees a key its owner cannot see.
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyStore, ApiKeyView, StoredApiKey } from '../core/api-keys';
import { keys } from '../core/keys';
import type { Principal } from '../core/principal';
import { queryAll } from './dynamo-reads';
import { TransactionCancelled, transactWrite } from './dynamo-writes';

function view(item: Record<string, unknown>): ApiKeyView {
  return {
    id: String(item.id),
    name: String(item.name),
    readOnly: item.readOnly === true,
    enabled: item.enabled === true,
    createdAt: String(item.createdAt),
    lastUsedAt: typeof item.lastUsedAt === 'string' ? item.lastUsedAt : null,
  };
}

export function dynamoApiKeyStore(
  client: DynamoDBDocumentClient,
  tableName: string,
): (principal: Principal) => ApiKeyStore {
  const forUser = partitionKeyStore(client, tableName);
  return (principal) => forUser(principal.userId);
}

/** Another user's keys, for an admin the use case has authorized (core/api-keys.ts, adminDisableApiKey). */
export function dynamoAdminApiKeyStore(client: DynamoDBDocumentClient, tableName: string): (ownerId: string) => Pick<ApiKeyStore, 'setEnabled'> {
  return partitionKeyStore(client, tableName);
}

function partitionKeyStore(client: DynamoDBDocumentClient, tableName: string): (userId: string) => ApiKeyStore {
  return (ownerId) => {
    const userPk = keys.userPk(ownerId);
    const refKey = (keyId: string) => ({ PK: userPk, SK: keys.apiKeyRefSk(keyId) });
    const lookupKey = (hash: string) => ({ PK: keys.apiKeyLookupPk(hash), SK: keys.apiKeyLookupSk() });
    const counterKey = { PK: userPk, SK: keys.apiKeyCounterSk() };

    const getRef = async (keyId: string) =>
      (await client.send(new GetCommand({ TableName: tableName, Key: refKey(keyId), ConsistentRead: true }))).Item;

    return {
      async create(key: StoredApiKey, maxKeys: number) {
        const { keyHash, ...shown } = key;
        try {
          await transactWrite(client, [
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...lookupKey(keyHash),
                  type: 'apiKey',
                  keyId: key.id,
                  ownerId,
                  readOnly: key.readOnly,
                  enabled: true,
                  createdAt: key.createdAt,
                },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: { ...refKey(key.id), type: 'apiKeyRef', ...shown, keyHash },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            {
              Update: {
                TableName: tableName,
                Key: counterKey,
                UpdateExpression: 'ADD keyCount :one SET #type = :type',
                ConditionExpression: 'attribute_not_exists(keyCount) OR keyCount < :max',
                ExpressionAttributeNames: { '#type': 'type' },
                ExpressionAttributeValues: { ':one': 1, ':max': maxKeys, ':type': 'apiKeyCounter' },
              },
            },
          ]);
          return 'created';
        } catch (err) {
          // Only the counter's condition can fail for a fresh random key; anything else is a fault.
          if (err instanceof TransactionCancelled && err.reasons[2]?.Code === 'ConditionalCheckFailed') return 'limit';
          throw err;
        }
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
        try {
          await transactWrite(client, [
            {
              Update: {
                TableName: tableName,
                Key: refKey(keyId),
                UpdateExpression: 'SET enabled = :e, updatedAt = :at',
                ConditionExpression: 'attribute_exists(PK)',
                ExpressionAttributeValues: { ':e': enabled, ':at': at },
              },
            },
            {
              Update: {
                TableName: tableName,
                Key: lookupKey(String(ref.keyHash)),
                UpdateExpression: 'SET enabled = :e',
                ConditionExpression: 'attribute_exists(PK)',
                ExpressionAttributeValues: { ':e': enabled },
              },
            },
          ]);
        } catch (err) {
          if (err instanceof TransactionCancelled && err.failedCondition() >= 0) return null; // revoked meanwhile
          throw err;
        }
        return view({ ...ref, enabled });
      },

      async isActive(keyId) {
        return (await getRef(keyId))?.enabled === true;
      },

      async revoke(keyId) {
        const ref = await getRef(keyId);
        if (!ref) return false;
        try {
          await transactWrite(client, [
            { Delete: { TableName: tableName, Key: refKey(keyId), ConditionExpression: 'attribute_exists(PK)' } },
            { Delete: { TableName: tableName, Key: lookupKey(String(ref.keyHash)) } },
            {
              Update: {
                TableName: tableName,
                Key: counterKey,
                UpdateExpression: 'ADD keyCount :minus',
                ExpressionAttributeValues: { ':minus': -1 },
              },
            },
          ]);
        } catch (err) {
          if (err instanceof TransactionCancelled && err.failedCondition() >= 0) return false; // revoked by a concurrent request
          throw err;
        }
        return true;
      },
    };
  };
}
