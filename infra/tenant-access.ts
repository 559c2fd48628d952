// THE IAM policy documents of the main table, as plain JSON: the CDK stack attaches exactly these
// (infra/constructs/table-access.ts) and the local stack's enforcing DynamoDB endpoint evaluates
// exactly these, so the two walls cannot drift.
//
// Two kinds of grant:
// - the tenant data role, which functions assume per user with the session tag `tenant` (see
//   functions/shared/adapters/tenant-clients.ts): every request's every leading key must be one of
//   that tenant's partitions, and a request without leading keys (a Scan) is refused;
// - narrow execution-role statements, one per cross-user key family and only with the actions
//   that family needs. No execution role reaches a user partition (`USER#…`), except the
//   authorizers' attribute-limited reads and writes of the session item and a key's lastUsedAt.
import { SESSION_ATTRIBUTES } from '../functions/shared/adapters/session-store';
import { TENANT_FAMILIES } from '../functions/shared/core/keys';

export interface PolicyStatementJson {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string[];
  readonly Resource: string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocumentJson {
  readonly Version: '2012-10-17';
  readonly Statement: PolicyStatementJson[];
}

/** The session tag naming the caller's tenant (functions/shared/adapters/tenant-clients.ts, TENANT_TAG). */
const TAG = '${aws:PrincipalTag/tenant}';

/** The partitions a tenant's credentials may reach: its own, and nothing else (fixed-length tenant ids, so `#*` cannot reach another's). */
export const TENANT_LEADING_KEYS = [`${TENANT_FAMILIES.user}#${TAG}`, `${TENANT_FAMILIES.rate}#${TAG}#*`] as const;

/** Exactly what the stores send with a user's credentials (no Scan, no BatchGetItem, no PartiQL). */
export const TENANT_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;

/** The tenant data role's one statement. */
export function tenantRoleStatements(tableArn: string): PolicyStatementJson[] {
  return [
    {
      Sid: 'OwnPartitionsOnly',
      Effect: 'Allow',
      Action: [...TENANT_ACTIONS],
      Resource: [tableArn],
      Condition: {
        // Every partition key the request names must be the tenant's (a batch or a transaction
        // cannot smuggle in one other key)...
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...TENANT_LEADING_KEYS] },
        // ...and it must name some: ForAllValues over an empty set is true, so without this a
        // Scan (no leading keys) would pass (IAM User Guide, "Single-valued vs. multivalued
        // condition keys"). And the session must carry the tag at all.
        Null: { 'dynamodb:LeadingKeys': 'false', 'aws:PrincipalTag/tenant': 'false' },
      },
    },
  ];
}

/** Cross-user key families a function's own role may reach, each with only the actions it needs. */
export type SharedGrant =
  | 'auditAppend'
  | 'auditRead'
  | 'auditActorRead'
  | 'apiKeyAuth'
  | 'apiKeyLookups'
  | 'connections'
  | 'webhookEvents'
  | 'idempotency'
  | 'idempotencyErase'
  | 'keyring'
  | 'usageIndex'
  | 'usageRead';

/**
 * What a function may do on the main table (infra/routes.ts): `tenant` (it assumes the tenant data
 * role for the users it serves) and the shared families it reaches with its own role.
 */
export type TableGrant = 'tenant' | SharedGrant;

/** The only attributes the lastUsedAt update names (keys, its condition and the time itself). */
export const API_KEY_USAGE_ATTRIBUTES = ['PK', 'SK', 'lastUsedAt'];
/** The per-user session item's attributes (sign-out time and last-seen role), as its adapter names them. */
export { SESSION_ATTRIBUTES };

const onFamilies = (actions: string[], tableArn: string, leadingKeys: string[], extra: PolicyStatementJson['Condition'] = {}): PolicyStatementJson => ({
  Effect: 'Allow',
  Action: actions,
  Resource: [tableArn],
  Condition: {
    'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeys, ...(extra['ForAllValues:StringLike'] ?? {}) },
    Null: { 'dynamodb:LeadingKeys': 'false' },
    ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'ForAllValues:StringLike')),
  },
});

/** The execution-role statements of one shared grant. */
export function sharedGrantStatements(tableArn: string, grant: SharedGrant): PolicyStatementJson[] {
  switch (grant) {
    case 'auditAppend':
      // Append only: events are put (never updated or deleted); the enumeration counters count.
      return [onFamilies(['dynamodb:PutItem'], tableArn, ['AUDIT#*', 'AUDIT_ALL#*']), onFamilies(['dynamodb:UpdateItem'], tableArn, ['DENIALS#*'])];
    case 'auditRead':
      return [onFamilies(['dynamodb:Query'], tableArn, ['AUDIT#*', 'AUDIT_ALL#*'])];
    case 'auditActorRead':
      // The export reads the caller's own events (AUDIT#<userId>), never the all-users day list.
      return [onFamilies(['dynamodb:Query'], tableArn, ['AUDIT#*'])];
    case 'apiKeyAuth':
      return [
        onFamilies(['dynamodb:GetItem'], tableArn, ['APIKEY#*']),
        // At most once a minute per key, as one transaction of two updates (api-key-usage.ts).
        onFamilies(['dynamodb:UpdateItem'], tableArn, ['APIKEY#*', 'USER#*'], { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': API_KEY_USAGE_ATTRIBUTES } }),
        // The user's session item: read (projected, so no thread or key text is readable) and its
        // last-seen role moved forward (core/sessions.ts). A read limited to attributes must project
        // them (IAM User Guide, "Amazon DynamoDB: Allows access to specific attributes").
        onFamilies(['dynamodb:GetItem'], tableArn, ['USER#*'], {
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': SESSION_ATTRIBUTES },
          StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
        }),
        onFamilies(['dynamodb:UpdateItem'], tableArn, ['USER#*'], { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': SESSION_ATTRIBUTES } }),
      ];
    case 'apiKeyLookups':
      // BatchWriteItem (account deletion's batched deletes) puts and deletes, as Put and Delete here do.
      return [onFamilies(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'], tableArn, ['APIKEY#*'])];
    case 'connections':
      return [onFamilies(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'], tableArn, ['CONN#*', 'CONNSLOT#*'])];
    case 'keyring':
      // The key-encryption keys every environment unwraps through KMS (functions/shared/adapters/kek-source.ts): one partition.
      return [onFamilies(['dynamodb:GetItem', 'dynamodb:PutItem'], tableArn, ['KEYRING'])];
    case 'webhookEvents':
      return [onFamilies(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], tableArn, ['WEBHOOK#*'])];
    case 'usageIndex':
      // The admin ranking's day index (functions/shared/adapters/usage-store.ts): each reply adds to its user's row.
      return [onFamilies(['dynamodb:UpdateItem'], tableArn, ['USAGE_DAY#*'])];
    case 'usageRead':
      return [onFamilies(['dynamodb:Query'], tableArn, ['USAGE_DAY#*'])];
    case 'idempotency':
      return [onFamilies(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], tableArn, ['IDEMPOTENCY#*'])];
    case 'idempotencyErase':
      // Account deletion lists a user's records through their index (keys.userRecordsPk) and deletes
      // records, index rows and thread lists in batches of 25 (BatchWriteItem cannot be narrowed to
      // deletes; this role may already put there through `idempotency`).
      return [onFamilies(['dynamodb:Query'], tableArn, ['IDEMPOTENCY#USER#*']), onFamilies(['dynamodb:BatchWriteItem'], tableArn, ['IDEMPOTENCY#*'])];
  }
}

/** Audit keys, as the audit log writes them (functions/shared/core/keys.ts). */
export const AUDIT_KEY_PREFIXES = ['AUDIT#*', 'AUDIT_ALL#*'] as const;
/** What no role may do to an audit event, whatever it is allowed elsewhere. */
export const AUDIT_DENIED_ACTIONS = ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'] as const;

/** The explicit Deny every function role carries (infra/constructs/audit-trail.ts): audit events are immutable. */
export function auditImmutableStatement(tableArn: string): PolicyStatementJson {
  return {
    Sid: 'AuditEventsAreImmutable',
    Effect: 'Deny',
    Action: [...AUDIT_DENIED_ACTIONS],
    Resource: [tableArn],
    // ForAnyValue: a request touching even one audit key is refused.
    Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [...AUDIT_KEY_PREFIXES] } },
  };
}

/** A function's own (execution-role) statements on the table. */
export function executionRoleStatements(tableArn: string, grants: readonly TableGrant[]): PolicyStatementJson[] {
  // A function serving users also reads and stores the scoped credentials every environment shares.
  const tenantCredentials = onFamilies(['dynamodb:GetItem', 'dynamodb:PutItem'], tableArn, ['TENANTCREDS#*']);
  return grants.flatMap((g) => (g === 'tenant' ? [tenantCredentials] : sharedGrantStatements(tableArn, g)));
}

export const policyDocument = (statements: readonly PolicyStatementJson[]): PolicyDocumentJson => ({ Version: '2012-10-17', Statement: [...statements] });
