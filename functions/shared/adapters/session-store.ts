// The per-user session item (USER#<userId> / SESSION) in DynamoDB. Reads name only the session
// attributes (the authorizers' grant is limited to them); both writes are conditional so they only
// ever move forward: a later sign-out, a role from a newer token.
import { keys } from '../core/keys';
import { NO_SESSION_STATE, type SessionState, type SessionStore } from '../core/sessions';
import type { Sdk } from './api-key-lookup';
import { tenantIdOf } from './tenant-id';

/** Every attribute the session item's reads and writes name (the authorizers' IAM grant lists them). */
export const SESSION_ATTRIBUTES = ['PK', 'SK', 'notBefore', 'keysReadOnly', 'roleIat'];

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export class DynamoDbSessionStore implements SessionStore {
  /**
   * @param forUser the user's scoped client, for functions serving that user (sign-out, WebSocket
   *   re-checks); the authorizers use `sdk`'s client, whose grant names only these attributes.
   */
  constructor(
    private readonly sdk: () => Promise<Sdk>,
    private readonly tableName: string,
    private readonly forUser?: (userId: string) => Sdk['client'],
  ) {}

  #key(userId: string) {
    return { PK: keys.userPk(tenantIdOf(userId)), SK: keys.sessionSk() };
  }

  async get(userId: string): Promise<SessionState> {
    const { client: shared, lib } = await this.sdk();
    const client = this.forUser?.(userId) ?? shared;
    const res = await client.send(
      new lib.GetCommand({
        TableName: this.tableName,
        Key: this.#key(userId),
        ConsistentRead: true, // a sign-out is seen by the very next uncached read
        ProjectionExpression: 'notBefore, keysReadOnly, roleIat',
      }),
    );
    if (!res.Item) return NO_SESSION_STATE;
    return { notBefore: num(res.Item.notBefore), keysReadOnly: res.Item.keysReadOnly === true, roleIat: num(res.Item.roleIat) };
  }

  async noteRole(userId: string, keysReadOnly: boolean, iat: number): Promise<void> {
    await this.#forward(userId, 'SET keysReadOnly = :ro, roleIat = :iat', 'attribute_not_exists(roleIat) OR roleIat < :iat', { ':ro': keysReadOnly, ':iat': iat });
  }

  async signOut(userId: string, notBefore: number): Promise<void> {
    await this.#forward(userId, 'SET notBefore = :nb', 'attribute_not_exists(notBefore) OR notBefore < :nb', { ':nb': notBefore });
  }

  async #forward(userId: string, update: string, condition: string, values: Record<string, unknown>): Promise<void> {
    const { client: shared, lib } = await this.sdk();
    const client = this.forUser?.(userId) ?? shared;
    try {
      await client.send(
        new lib.UpdateCommand({
          TableName: this.tableName,
          Key: this.#key(userId),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (err) {
      // A newer value is already stored: nothing to move forward.
      if ((err as Error)?.name !== 'ConditionalCheckFailedException') throw err;
    }
  }
}
