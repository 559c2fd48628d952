// The token budget's DynamoDB counter against DynamoDB Local: holds are one atomic conditional
// update, so replies in flight count against the day's budget, and settling releases the hold.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbTokenCounter } from '../../functions/shared/adapters/token-counter';
import { singleClient } from '../../functions/shared/adapters/tenant-clients';
import { keys } from '../../functions/shared/core/keys';
import { tenantIdOf } from '../../functions/shared/adapters/tenant-id';
import { uniqueUser } from '../helpers/dev-tokens';
import { localDb } from '../helpers/local-db';

const DAY = '2030-01-01';
const EXPIRES = 1_900_000_000;

describe('DynamoDB token counter', () => {
  const { client, tableName } = localDb();
  const counter = new DynamoDbTokenCounter(singleClient(client), tableName);

  it('holds while used plus held is below the limit, and settling releases the hold', async () => {
    const user = uniqueUser('tokens');
    // Eight racing holds of 4,000 against 10,000: exactly three get in (0, 4,000, 8,000 are below it).
    const racing = await Promise.all(Array.from({ length: 8 }, () => counter.hold(user, DAY, 4_000, 10_000, EXPIRES)));
    expect(racing.filter((r) => r.held)).toHaveLength(3);
    await counter.settle(user, DAY, 4_000, 150, EXPIRES);
    await counter.settle(user, DAY, 4_000, 250, EXPIRES);
    expect(await counter.used(user, DAY)).toBe(400);
    // One reply still holds 4,000: 4,400 committed, so another gets in.
    expect((await counter.hold(user, DAY, 4_000, 10_000, EXPIRES)).held).toBe(true);
  });

  it('refuses once the day is used up, reporting the tokens used', async () => {
    const user = uniqueUser('tokens');
    expect((await counter.hold(user, DAY, 4_000, 1_000, EXPIRES)).held).toBe(true);
    await counter.settle(user, DAY, 4_000, 1_200, EXPIRES);
    expect(await counter.hold(user, DAY, 4_000, 1_000, EXPIRES)).toEqual({ held: false, used: 1_200 });
  });

  it('reads a day counted before holds existed (tokens only) as committed', async () => {
    const user = uniqueUser('tokens');
    await client.send(new PutCommand({ TableName: tableName, Item: { PK: keys.userPk(tenantIdOf(user)), SK: keys.tokensSk(DAY), type: 'tokens', tokens: 5_000, expiresAt: EXPIRES } }));
    expect(await counter.hold(user, DAY, 4_000, 5_000, EXPIRES)).toEqual({ held: false, used: 5_000 });
    expect((await counter.hold(user, DAY, 4_000, 6_000, EXPIRES)).held).toBe(true);
    // 5,000 used + 4,000 held: the next is refused.
    expect(await counter.hold(user, DAY, 4_000, 6_000, EXPIRES)).toEqual({ held: false, used: 5_000 });
  });
});
