// What IAM checks for one DynamoDB request: the actions, the table or index ARNs, and the
// request's condition keys (dynamodb:LeadingKeys, dynamodb:Attributes, dynamodb:Select, ...).
// Batch operations are one action per table over all its keys; transactions authorize each
// contained action as the underlying item operation (Put → dynamodb:PutItem, ConditionCheck →
// dynamodb:ConditionCheckItem) with dynamodb:EnclosingOperation set.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
import { leadingKeyOfQuery, scalarOf } from './key-condition';

/** Partition-key attribute names of a table and of its global secondary indexes. */
export interface TableKeys {
  readonly partitionKey: string;
  readonly indexPartitionKeys: Readonly<Record<string, string>>;
}

/** One authorization IAM performs for the request. */
export interface DynamoCheck {
  readonly action: string;
  readonly resource: string;
  /** DynamoDB condition keys with their values; an absent key is not in the request context. */
  readonly keys: Readonly<Record<string, readonly string[] | undefined>>;
}

type AttributeValue = Record<string, unknown>;
type Item = Record<string, AttributeValue>;
type Body = Record<string, unknown>;

const names = (body: Body) => (body.ExpressionAttributeNames ?? {}) as Record<string, string>;
const resolveName = (token: string, body: Body) => (token.startsWith('#') ? (names(body)[token] ?? token) : token);

/** Top-level attribute names of a projection (`a.b, #c[0]` → a, c). */
function projected(body: Body): string[] | undefined {
  if (Array.isArray(body.AttributesToGet)) return body.AttributesToGet as string[];
  if (typeof body.ProjectionExpression !== 'string') return undefined;
  return body.ProjectionExpression.split(',').map((p) => resolveName(p.trim().split(/[.[]/)[0]!.trim(), body));
}

const UPDATE_WORDS = new Set(['set', 'remove', 'add', 'delete', 'if_not_exists', 'list_append']);
/** Top-level attribute names an UpdateExpression writes, plus the key's. */
function updated(body: Body): string[] {
  const expr = typeof body.UpdateExpression === 'string' ? body.UpdateExpression : '';
  const paths = expr.match(/(?<![:\w#])#?[A-Za-z_][\w]*(?:\s*(?:\.[#\w]+|\[\d+\]))*/g) ?? [];
  const attrs = paths.map((p) => p.split(/[.[]/)[0]!.trim()).filter((p) => !UPDATE_WORDS.has(p.toLowerCase()));
  return [...new Set([...Object.keys((body.Key ?? {}) as Item), ...attrs.map((a) => resolveName(a, body))])];
}

export interface RequestScope {
  readonly region: string;
  readonly accountId: string;
  readonly keysOf: (table: string) => Promise<TableKeys>;
}

const tableNameOf = (t: string) => (t.startsWith('arn:') ? t.slice(t.indexOf(':table/') + 7).split('/')[0]! : t);
const tableArn = (scope: RequestScope, t: string) => (t.startsWith('arn:') ? t : `arn:aws:dynamodb:${scope.region}:${scope.accountId}:table/${t}`);

const optional = (v: unknown): readonly string[] | undefined => (typeof v === 'string' ? [v] : undefined);
const defined = (vs: (string | undefined)[]): string[] => vs.filter((v): v is string => v !== undefined);

async function itemCheck(scope: RequestScope, action: string, op: Body, key: Item | undefined, attributes: string[] | undefined, enclosing?: string): Promise<DynamoCheck> {
  const table = String(op.TableName ?? '');
  const { partitionKey } = await scope.keysOf(tableNameOf(table));
  const leading = scalarOf(key?.[partitionKey]);
  return {
    action,
    resource: tableArn(scope, table),
    keys: {
      'dynamodb:LeadingKeys': leading === undefined ? undefined : [leading],
      'dynamodb:Attributes': attributes,
      'dynamodb:ReturnValues': optional(op.ReturnValues),
      'dynamodb:ReturnConsumedCapacity': optional(op.ReturnConsumedCapacity),
      'dynamodb:EnclosingOperation': enclosing === undefined ? undefined : [enclosing],
    },
  };
}

/**
 * Every authorization DynamoDB asks IAM for before it runs `op` with `body`.
 * @param op - the operation from X-Amz-Target, e.g. `GetItem`
 */
export async function checksFor(op: string, body: Body, scope: RequestScope): Promise<DynamoCheck[]> {
  switch (op) {
    case 'GetItem':
      return [await itemCheck(scope, 'dynamodb:GetItem', body, body.Key as Item, projected(body))];
    case 'PutItem':
      return [await itemCheck(scope, 'dynamodb:PutItem', body, body.Item as Item, Object.keys((body.Item ?? {}) as Item))];
    case 'UpdateItem':
      return [await itemCheck(scope, 'dynamodb:UpdateItem', body, body.Key as Item, updated(body))];
    case 'DeleteItem':
      return [await itemCheck(scope, 'dynamodb:DeleteItem', body, body.Key as Item, undefined)];
    case 'Query':
    case 'Scan': {
      const table = String(body.TableName ?? '');
      const index = typeof body.IndexName === 'string' ? body.IndexName : undefined;
      const keys = await scope.keysOf(tableNameOf(table));
      const pk = index ? (keys.indexPartitionKeys[index] ?? keys.partitionKey) : keys.partitionKey;
      const leading = op === 'Query' ? leadingKeyOfQuery(body, pk) : undefined;
      return [
        {
          action: `dynamodb:${op}`,
          resource: tableArn(scope, table) + (index ? `/index/${index}` : ''),
          keys: {
            'dynamodb:LeadingKeys': leading === undefined ? undefined : [leading],
            'dynamodb:Attributes': projected(body),
            'dynamodb:Select': optional(body.Select),
            'dynamodb:ReturnConsumedCapacity': optional(body.ReturnConsumedCapacity),
          },
        },
      ];
    }
    case 'BatchGetItem':
    case 'BatchWriteItem': {
      const requestItems = (body.RequestItems ?? {}) as Record<string, Body | Body[]>;
      const checks: DynamoCheck[] = [];
      for (const [table, entry] of Object.entries(requestItems)) {
        const { partitionKey } = await scope.keysOf(tableNameOf(table));
        let items: (Item | undefined)[];
        let attributes: string[] | undefined;
        if (op === 'BatchGetItem') {
          const get = entry as Body;
          items = (get.Keys ?? []) as Item[];
          attributes = projected({ ...get, ExpressionAttributeNames: get.ExpressionAttributeNames });
        } else {
          const writes = entry as Body[];
          items = writes.map((w) => ((w.PutRequest as Body | undefined)?.Item ?? (w.DeleteRequest as Body | undefined)?.Key) as Item | undefined);
          attributes = [...new Set(writes.flatMap((w) => Object.keys(((w.PutRequest as Body | undefined)?.Item ?? {}) as Item)))];
        }
        const leading = [...new Set(defined(items.map((i) => scalarOf(i?.[partitionKey]))))];
        checks.push({
          action: `dynamodb:${op}`,
          resource: tableArn(scope, table),
          keys: { 'dynamodb:LeadingKeys': leading.length ? leading : undefined, 'dynamodb:Attributes': attributes },
        });
      }
      return checks;
    }
    case 'TransactGetItems': {
      const items = (body.TransactItems ?? []) as Body[];
      return Promise.all(items.map((t) => t.Get as Body).map((g) => itemCheck(scope, 'dynamodb:GetItem', g ?? {}, g?.Key as Item, projected(g ?? {}), op)));
    }
    case 'TransactWriteItems': {
      const items = (body.TransactItems ?? []) as Body[];
      return Promise.all(
        items.map((t) => {
          if (t.Put) return itemCheck(scope, 'dynamodb:PutItem', t.Put as Body, (t.Put as Body).Item as Item, Object.keys(((t.Put as Body).Item ?? {}) as Item), op);
          if (t.Update) return itemCheck(scope, 'dynamodb:UpdateItem', t.Update as Body, (t.Update as Body).Key as Item, updated(t.Update as Body), op);
          if (t.Delete) return itemCheck(scope, 'dynamodb:DeleteItem', t.Delete as Body, (t.Delete as Body).Key as Item, undefined, op);
          const c = (t.ConditionCheck ?? {}) as Body;
          return itemCheck(scope, 'dynamodb:ConditionCheckItem', c, c.Key as Item, undefined, op);
        }),
      );
    }
    default: {
      // Table-level operations (DescribeTable, ...) and anything else: the action on the table, no keys.
      const table = typeof body.TableName === 'string' ? body.TableName : undefined;
      return [{ action: `dynamodb:${op}`, resource: table ? tableArn(scope, table) : '*', keys: {} }];
    }
  }
}
