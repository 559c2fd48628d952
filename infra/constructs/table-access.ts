// Turns a function's declared TableAccess (infra/routes.ts) into IAM statements on the main table.
// Written out action by action instead of CDK's grantRead*/grantReadWriteData: those include Scan
// (and DescribeTable, stream reads), which no request path needs (DESIGN.md: no Scan anywhere).
import { Effect, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { SESSION_ATTRIBUTES } from '../../functions/shared/adapters/session-store';
import type { TableAccess } from '../routes';

/** Every DynamoDB action any function may hold: the `readwrite` set. */
export const READWRITE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;

/** Partition-key prefixes, as functions/shared/core/keys.ts builds them. */
const RATE_COUNTERS = ['RATE#*'];
const API_KEY_LOOKUPS = ['APIKEY#*'];
/** `lastUsedAt` lives on the lookup item and on the owner's `USER#…`/`APIKEYREF#…` item. */
const API_KEY_USAGE = ['APIKEY#*', 'USER#*'];

/** The only attributes the lastUsedAt update names (keys, its condition and the time itself). */
export const API_KEY_USAGE_ATTRIBUTES = ['PK', 'SK', 'lastUsedAt'];
/** The per-user session item's attributes (sign-out time and last-seen role), as its adapter names them. */
export { SESSION_ATTRIBUTES };
const SESSION_ITEMS = ['USER#*'];

const onLeadingKeys = (actions: string[], tableArn: string, prefixes: string[], attributes?: string[], projected = false) =>
  new PolicyStatement({
    effect: Effect.ALLOW,
    actions,
    resources: [tableArn],
    conditions: {
      // ForAllValues: every partition key the request touches must match (a BatchWrite or a
      // transaction cannot smuggle in one other key).
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes },
      // And, where given, every attribute it names: an update of USER#… may touch lastUsedAt only.
      ...(attributes ? { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': attributes } } : {}),
      // A read limited to attributes must project them (IAM User Guide, "Amazon DynamoDB: Allows
      // access to specific attributes"): a GetItem without a ProjectionExpression is refused.
      ...(projected ? { StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' } } : {}),
    },
  });

export function tableAccessStatements(tableArn: string, access: TableAccess): PolicyStatement[] {
  const rateLimit = onLeadingKeys(['dynamodb:UpdateItem'], tableArn, RATE_COUNTERS);
  switch (access) {
    case 'none':
      return [];
    case 'rateLimit':
      return [rateLimit];
    case 'read':
      return [new PolicyStatement({ effect: Effect.ALLOW, actions: ['dynamodb:GetItem', 'dynamodb:Query'], resources: [tableArn] }), rateLimit];
    case 'readwrite':
      return [new PolicyStatement({ effect: Effect.ALLOW, actions: [...READWRITE_ACTIONS], resources: [tableArn] })];
    case 'apiKeyAuth':
      return [
        onLeadingKeys(['dynamodb:GetItem'], tableArn, API_KEY_LOOKUPS),
        // At most once a minute per key, as one transaction of two updates (api-key-usage.ts).
        onLeadingKeys(['dynamodb:UpdateItem'], tableArn, API_KEY_USAGE, API_KEY_USAGE_ATTRIBUTES),
        // The user's session item: read (projected, so no thread or key text is readable) and its
        // last-seen role moved forward (core/sessions.ts).
        onLeadingKeys(['dynamodb:GetItem'], tableArn, SESSION_ITEMS, SESSION_ATTRIBUTES, true),
        onLeadingKeys(['dynamodb:UpdateItem'], tableArn, SESSION_ITEMS, SESSION_ATTRIBUTES),
      ];
  }
}

/** Grants exactly `access` on `table` to `grantee`. */
export function grantTableAccess(table: ITableV2, grantee: IGrantable, access: TableAccess): void {
  for (const statement of tableAccessStatements(table.tableArn, access)) grantee.grantPrincipal.addToPrincipalPolicy(statement);
}
