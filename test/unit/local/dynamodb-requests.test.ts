import { describe, expect, it } from 'vitest';
import { checksFor, type TableKeys } from '../../../infra/local/tenant-isolation/dynamodb-requests';
import { leadingKeyOfQuery } from '../../../infra/local/tenant-isolation/key-condition';

const scope = {
  region: 'eu-west-1',
  accountId: '123456789012',
  keysOf: async (table: string): Promise<TableKeys> => (table === 'main' ? { partitionKey: 'PK', indexPartitionKeys: { byOwner: 'owner' } } : { partitionKey: 'id', indexPartitionKeys: {} }),
};
const MAIN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/main';
const OTHER = 'arn:aws:dynamodb:eu-west-1:123456789012:table/other';
const S = (s: string) => ({ S: s });

describe('checksFor (what IAM authorizes for a DynamoDB request)', () => {
  it.each([
    ['GetItem', { TableName: 'main', Key: { PK: S('a'), SK: S('1') }, ProjectionExpression: '#n, meta.x' , ExpressionAttributeNames: { '#n': 'name' } }, [
      { action: 'dynamodb:GetItem', resource: MAIN, leading: ['a'], attributes: ['name', 'meta'] },
    ]],
    ['PutItem', { TableName: 'main', Item: { PK: S('a'), SK: S('1'), x: { N: '1' } } }, [{ action: 'dynamodb:PutItem', resource: MAIN, leading: ['a'], attributes: ['PK', 'SK', 'x'] }]],
    ['UpdateItem', { TableName: 'main', Key: { PK: S('a'), SK: S('1') }, UpdateExpression: 'SET #t = :t, n = if_not_exists(n, :z) REMOVE old', ExpressionAttributeNames: { '#t': 'title' } }, [
      { action: 'dynamodb:UpdateItem', resource: MAIN, leading: ['a'], attributes: ['PK', 'SK', 'title', 'n', 'old'] },
    ]],
    ['DeleteItem', { TableName: 'main', Key: { PK: S('a'), SK: S('1') } }, [{ action: 'dynamodb:DeleteItem', resource: MAIN, leading: ['a'], attributes: undefined }]],
    ['Query on an index', { TableName: 'main', IndexName: 'byOwner', KeyConditionExpression: 'owner = :o', ExpressionAttributeValues: { ':o': S('a') } }, [
      { action: 'dynamodb:Query', resource: `${MAIN}/index/byOwner`, leading: ['a'], attributes: undefined },
    ]],
    ['Scan', { TableName: 'main' }, [{ action: 'dynamodb:Scan', resource: MAIN, leading: undefined, attributes: undefined }]],
    ['BatchGetItem over two tables', { RequestItems: { main: { Keys: [{ PK: S('a') }, { PK: S('b') }, { PK: S('a') }] }, other: { Keys: [{ id: S('z') }] } } }, [
      { action: 'dynamodb:BatchGetItem', resource: MAIN, leading: ['a', 'b'], attributes: undefined },
      { action: 'dynamodb:BatchGetItem', resource: OTHER, leading: ['z'], attributes: undefined },
    ]],
    ['BatchWriteItem', { RequestItems: { main: [{ PutRequest: { Item: { PK: S('a'), v: S('x') } } }, { DeleteRequest: { Key: { PK: S('b') } } }] } }, [
      { action: 'dynamodb:BatchWriteItem', resource: MAIN, leading: ['a', 'b'], attributes: ['PK', 'v'] },
    ]],
    ['TransactGetItems', { TransactItems: [{ Get: { TableName: 'main', Key: { PK: S('a') } } }, { Get: { TableName: 'other', Key: { id: S('z') } } }] }, [
      { action: 'dynamodb:GetItem', resource: MAIN, leading: ['a'], attributes: undefined, enclosing: 'TransactGetItems' },
      { action: 'dynamodb:GetItem', resource: OTHER, leading: ['z'], attributes: undefined, enclosing: 'TransactGetItems' },
    ]],
    ['TransactWriteItems with every kind of action', {
      TransactItems: [
        { Put: { TableName: 'main', Item: { PK: S('a') } } },
        { Update: { TableName: 'main', Key: { PK: S('b') }, UpdateExpression: 'ADD c :one' } },
        { Delete: { TableName: 'main', Key: { PK: S('c') } } },
        { ConditionCheck: { TableName: 'main', Key: { PK: S('d') }, ConditionExpression: 'attribute_exists(PK)' } },
      ],
    }, [
      { action: 'dynamodb:PutItem', resource: MAIN, leading: ['a'], attributes: ['PK'], enclosing: 'TransactWriteItems' },
      { action: 'dynamodb:UpdateItem', resource: MAIN, leading: ['b'], attributes: ['PK', 'c'], enclosing: 'TransactWriteItems' },
      { action: 'dynamodb:DeleteItem', resource: MAIN, leading: ['c'], attributes: undefined, enclosing: 'TransactWriteItems' },
      { action: 'dynamodb:ConditionCheckItem', resource: MAIN, leading: ['d'], attributes: undefined, enclosing: 'TransactWriteItems' },
    ]],
    ['a table given by its ARN', { TableName: MAIN, Key: { PK: S('a') } }, [{ action: 'dynamodb:GetItem', resource: MAIN, leading: ['a'], attributes: undefined }]],
    ['a table-level operation', { TableName: 'main' }, [{ action: 'dynamodb:DescribeTable', resource: MAIN, leading: undefined, attributes: undefined }]],
  ])('%s', async (name, body, expected) => {
    // Prepare
    const op = name === 'a table-level operation' ? 'DescribeTable' : name === 'a table given by its ARN' ? 'GetItem' : name.split(' ')[0]!;
    // Act
    const checks = await checksFor(op, body, scope);
    // Assess
    expect(
      checks.map((c) => ({
        action: c.action,
        resource: c.resource,
        leading: c.keys['dynamodb:LeadingKeys'],
        attributes: c.keys['dynamodb:Attributes'],
        ...(c.keys['dynamodb:EnclosingOperation'] ? { enclosing: c.keys['dynamodb:EnclosingOperation'][0] } : {}),
      })),
    ).toEqual(expected);
  });
});

describe('leadingKeyOfQuery', () => {
  const values = { ':pk': S('T#1'), ':a': S('x'), ':b': S('y') };
  it.each([
    ['PK = :pk', {}, 'T#1'],
    ['#p = :pk AND begins_with(SK, :a)', { '#p': 'PK' }, 'T#1'],
    [':pk = PK', {}, 'T#1'],
    ['(PK = :pk) and (SK BETWEEN :a AND :b)', {}, 'T#1'],
    ['SK = :a AND PK=:pk', {}, 'T#1'],
    ['SK = :a', {}, undefined],
    ['#p = :pk', { '#p': 'SK' }, undefined],
  ])('%s', (expr, names, expected) => {
    expect(leadingKeyOfQuery({ KeyConditionExpression: expr, ExpressionAttributeNames: names, ExpressionAttributeValues: values }, 'PK')).toBe(expected);
  });

  it('reads the legacy KeyConditions, only an EQ on the partition key', () => {
    expect(leadingKeyOfQuery({ KeyConditions: { PK: { ComparisonOperator: 'EQ', AttributeValueList: [S('T#1')] } } }, 'PK')).toBe('T#1');
    expect(leadingKeyOfQuery({ KeyConditions: { PK: { ComparisonOperator: 'BEGINS_WITH', AttributeValueList: [S('T#')] } } }, 'PK')).toBeUndefined();
  });
});
