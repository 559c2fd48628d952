// The caller's profile, stored in the caller's own partition and created on first use.
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Principal } from '../core/principal';
import type { Clock } from '../core/ports';
import { keys } from '../core/keys';
import { isConditionFailed } from './dynamo-writes';
import { userPartition, type TenantClients } from './tenant-clients';

export interface Profile {
  userId: string;
  email: string | null;
  roles: string[];
  authMethod: Principal['authMethod'];
  createdAt: string;
}

export interface ProfileStore {
  /** Returns the stored profile, creating it on first call (race-safe). */
  getOrCreate(): Promise<Profile>;
}

export function dynamoProfileStore(
  clients: TenantClients,
  tableName: string,
  clock: Clock,
): (principal: Principal) => ProfileStore {
  return (principal) => {
    const { client, pk } = userPartition(clients, principal.userId);
    const Key = { PK: pk, SK: keys.profileSk() };
    const view = (item: Record<string, unknown>): Profile => ({
      userId: principal.userId,
      email: (item.email as string | null) ?? principal.email,
      roles: [...principal.roles],
      authMethod: principal.authMethod,
      createdAt: String(item.createdAt),
    });
    return {
      async getOrCreate() {
        const existing = await client.send(new GetCommand({ TableName: tableName, Key }));
        if (existing.Item) return view(existing.Item);
        const item = { ...Key, type: 'profile', email: principal.email, createdAt: clock.now().toISOString() };
        try {
          await client.send(
            new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' }),
          );
          return view(item);
        } catch (err) {
          if (!isConditionFailed(err)) throw err;
          const again = await client.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }));
          return view(again.Item ?? item);
        }
      },
    };
  };
}
