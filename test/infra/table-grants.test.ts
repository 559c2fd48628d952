// Least privilege on the table, read from the synthesized template (THREATS T20): each function's
// role holds exactly the DynamoDB statements its route-table entry declares, written out here by
// hand (a change to a grant must change this file too); no execution role reaches a user partition
// but the authorizers' attribute-limited session and lastUsedAt statements; the tenant data role's
// every statement carries the LeadingKeys condition with its Null guard; no role anywhere may Scan.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CfnElement } from 'aws-cdk-lib';
import { DynamoDbApiKeyUsage } from '../../functions/shared/adapters/api-key-usage';
import { DynamoDbSessionStore } from '../../functions/shared/adapters/session-store';
import { API_KEY_USAGE_ATTRIBUTES, SESSION_ATTRIBUTES, TENANT_ACTIONS } from '../../infra/tenant-access';
import type { ServiceFunction } from '../../infra/constructs/service-function';
import { AUTHORIZERS, FUNCTIONS, THREAD_EXPIRY, WEBSOCKET } from '../../infra/routes';
import { synth } from '../helpers/synth';

interface Grant {
  readonly actions: readonly string[];
  /** `dynamodb:LeadingKeys` patterns, when the statement is limited to some partitions. */
  readonly leadingKeys?: readonly string[];
  /** `dynamodb:Attributes`, when the statement is limited to some attributes. */
  readonly attributes?: readonly string[];
  /** `dynamodb:Select` required (a read limited to attributes must project them). */
  readonly select?: string;
}

const AUDIT_APPEND: Grant[] = [
  { actions: ['dynamodb:PutItem'], leadingKeys: ['AUDIT#*', 'AUDIT_ALL#*'] },
  { actions: ['dynamodb:UpdateItem'], leadingKeys: ['DENIALS#*'] },
];
const IDEMPOTENCY: Grant = { actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], leadingKeys: ['IDEMPOTENCY#*'] };
const API_KEY_LOOKUPS: Grant = { actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'], leadingKeys: ['APIKEY#*'] };
/** The key-encryption keys every content-sealing function unwraps (one partition). */
const KEYRING: Grant = { actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], leadingKeys: ['KEYRING'] };
const CONNECTIONS: Grant = { actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'], leadingKeys: ['CONN#*', 'CONNSLOT#*'] };
const API_KEY_AUTH: Grant[] = [
  { actions: ['dynamodb:GetItem'], leadingKeys: ['APIKEY#*'] },
  { actions: ['dynamodb:UpdateItem'], leadingKeys: ['APIKEY#*', 'USER#*'], attributes: ['PK', 'SK', 'lastUsedAt'] },
  { actions: ['dynamodb:GetItem'], leadingKeys: ['USER#*'], attributes: ['PK', 'SK', 'notBefore', 'keysReadOnly', 'roleIat'], select: 'SPECIFIC_ATTRIBUTES' },
  { actions: ['dynamodb:UpdateItem'], leadingKeys: ['USER#*'], attributes: ['PK', 'SK', 'notBefore', 'keysReadOnly', 'roleIat'] },
];

/** Replies add to their user's row of the admin ranking's day index; the admin function reads the shards. */
const USAGE_INDEX: Grant = { actions: ['dynamodb:UpdateItem'], leadingKeys: ['USAGE_DAY#*'] };
const USAGE_READ: Grant = { actions: ['dynamodb:Query'], leadingKeys: ['USAGE_DAY#*'] };

/** Every function serving users reads and stores the scoped credentials all environments share. */
const TENANT_CREDS: Grant = { actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], leadingKeys: ['TENANTCREDS#*'] };

/** Construct id → expected DynamoDB statements of its own role (user partitions only through the tenant role). */
const EXPECTED: Record<string, Grant[]> = {
  HealthFunction: [],
  OpenapiFunction: [],
  ToolsFunction: [TENANT_CREDS, ],
  AuditFunction: [TENANT_CREDS, { actions: ['dynamodb:Query'], leadingKeys: ['AUDIT#*', 'AUDIT_ALL#*'] }],
  // Account deletion also lists the user's Idempotency-Key records through their index.
  MeFunction: [TENANT_CREDS, KEYRING, ...AUDIT_APPEND, IDEMPOTENCY, { actions: ['dynamodb:Query'], leadingKeys: ['IDEMPOTENCY#USER#*'] }, { actions: ['dynamodb:BatchWriteItem'], leadingKeys: ['IDEMPOTENCY#*'] }, API_KEY_LOOKUPS, CONNECTIONS],
  ThreadsFunction: [TENANT_CREDS, KEYRING, ...AUDIT_APPEND, IDEMPOTENCY],
  MessagesFunction: [TENANT_CREDS, KEYRING, ...AUDIT_APPEND, IDEMPOTENCY, USAGE_INDEX],
  ChatkitFunction: [TENANT_CREDS, KEYRING, ...AUDIT_APPEND, IDEMPOTENCY, USAGE_INDEX],
  TasksFunction: [TENANT_CREDS, KEYRING, IDEMPOTENCY],
  AdminFunction: [TENANT_CREDS, KEYRING, ...AUDIT_APPEND, API_KEY_LOOKUPS, IDEMPOTENCY, USAGE_READ],
  ApiKeysFunction: [TENANT_CREDS, ...AUDIT_APPEND, API_KEY_LOOKUPS],
  // The account export: the caller's partition (tenant role), their audit list, its own audit event.
  ExportFunction: [TENANT_CREDS, KEYRING, ...AUDIT_APPEND, { actions: ['dynamodb:Query'], leadingKeys: ['AUDIT#*'] }],
  // Removes expired threads' items, through the tenant role only (the tenant comes from the stream record's key).
  ThreadExpiryFunction: [TENANT_CREDS],
  WebhookFunction: [TENANT_CREDS, KEYRING, { actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], leadingKeys: ['WEBHOOK#*'] }],
  // Counts frames and stops replies (`cancel`); the replies themselves run in WsReplyFunction.
  WebsocketFunction: [TENANT_CREDS, KEYRING, ...AUDIT_APPEND, CONNECTIONS],
  WsReplyFunction: [TENANT_CREDS, KEYRING, ...AUDIT_APPEND, CONNECTIONS, USAGE_INDEX],
  AuthorizerFunction: API_KEY_AUTH,
  WsAuthorizerFunction: API_KEY_AUTH,
  WebhookAuthorizerFunction: [],
};

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

describe('T20: table grants', () => {
  const { stack, template } = synth();
  const tableId = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'))[0]!;
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{ Properties: { Roles: unknown[]; PolicyDocument: { Statement: any[] } } }>;
  const roles = template.findResources('AWS::IAM::Role') as Record<string, { Properties: { Policies?: Array<{ PolicyDocument: { Statement: any[] } }> } }>;

  /** The audit archive's stream reads are of this table's stream, not its items (test/infra/audit-trail.test.ts). */
  const STREAM_READS = ['dynamodb:ListStreams', 'dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'];
  // Allows only: the audit trail's Deny statements are asserted in test/infra/audit-trail.test.ts.
  const isDynamo = (s: any) =>
    s.Effect === 'Allow' && asArray<string>(s.Action).some((a) => a.startsWith('dynamodb:')) && !asArray<string>(s.Action).every((a) => STREAM_READS.includes(a));
  /** Every DynamoDB statement attached to one role, inline or through AWS::IAM::Policy. */
  const dynamoStatements = (roleId: string): any[] => [
    ...policies.filter((p) => p.Properties.Roles.some((r) => (r as { Ref?: string }).Ref === roleId)).flatMap((p) => p.Properties.PolicyDocument.Statement),
    ...(roles[roleId]?.Properties.Policies ?? []).flatMap((p) => p.PolicyDocument.Statement),
  ].filter(isDynamo);
  const roleOf = (constructId: string): string => {
    const sf = stack.node.findChild(constructId) as ServiceFunction;
    return stack.getLogicalId(sf.fn.role!.node.defaultChild as CfnElement);
  };
  const normalise = (s: any): Grant => {
    expect(s.Effect).toBe('Allow');
    expect(s.Resource, 'the table itself, no index or other table').toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });
    const conditions = s.Condition ?? {};
    expect(Object.keys(conditions).filter((k) => !['ForAllValues:StringLike', 'ForAllValues:StringEquals', 'StringEqualsIfExists', 'Null'].includes(k))).toEqual([]);
    // Every leading-key limit has its guard: a request naming no key (a Scan) is not let through.
    if (conditions['ForAllValues:StringLike']) expect(conditions.Null).toEqual({ 'dynamodb:LeadingKeys': 'false' });
    expect(Object.keys(conditions.StringEqualsIfExists ?? {}).filter((k) => k !== 'dynamodb:Select')).toEqual([]);
    const leadingKeys = conditions['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
    const attributes = conditions['ForAllValues:StringEquals']?.['dynamodb:Attributes'];
    const select = conditions.StringEqualsIfExists?.['dynamodb:Select'];
    return {
      actions: asArray<string>(s.Action).sort(),
      ...(leadingKeys ? { leadingKeys: [...leadingKeys].sort() } : {}),
      ...(attributes ? { attributes: [...attributes].sort() } : {}),
      ...(select ? { select } : {}),
    };
  };
  const sortGrants = (grants: Grant[]) =>
    grants
      .map((g) => ({
        ...g,
        actions: [...g.actions].sort(),
        ...(g.leadingKeys ? { leadingKeys: [...g.leadingKeys].sort() } : {}),
        ...(g.attributes ? { attributes: [...g.attributes].sort() } : {}),
      }))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

  it('covers every function of the route table', () => {
    const pascal = (s: string) => s.replace(/(^|[-_])(\w)/g, (_, __, c: string) => c.toUpperCase());
    const declared = [...Object.keys(FUNCTIONS).map((n) => `${pascal(n)}Function`), 'AuthorizerFunction', 'WebhookAuthorizerFunction', 'WebsocketFunction', 'WsReplyFunction', 'WsAuthorizerFunction', 'ThreadExpiryFunction'];
    expect(Object.keys(EXPECTED).sort()).toEqual(declared.sort());
    // Besides these, only the audit archive function, which reads the table's stream and no item.
    expect(Object.keys(template.findResources('AWS::Lambda::Function'))).toHaveLength(declared.length + 1);
  });

  it.each(Object.entries(EXPECTED))('%s holds exactly its declared table access', (id, expected) => {
    expect(sortGrants(dynamoStatements(roleOf(id)).map(normalise))).toEqual(sortGrants(expected));
  });

  it('gives health no DynamoDB permission at all', () => {
    expect(FUNCTIONS.health.table).toEqual([]);
    expect(dynamoStatements(roleOf('HealthFunction'))).toEqual([]);
  });

  it('gives both edge authorizers the same grant: API key reads and lastUsedAt updates, no Scan/Query/Put/Delete', () => {
    expect(AUTHORIZERS.user.table).toEqual(['apiKeyAuth']);
    expect(WEBSOCKET.authorizer.table).toEqual(['apiKeyAuth']);
    const rest = dynamoStatements(roleOf('AuthorizerFunction'));
    const ws = dynamoStatements(roleOf('WsAuthorizerFunction'));
    expect(ws).toEqual(rest);
    const actions = rest.flatMap((s) => asArray<string>(s.Action));
    expect(actions).toContain('dynamodb:UpdateItem'); // the lastUsedAt transaction's two updates
    for (const forbidden of ['dynamodb:Scan', 'dynamodb:Query', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:BatchWriteItem']) {
      expect(actions).not.toContain(forbidden);
    }
    for (const s of rest) expect(s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'], JSON.stringify(s)).toBeDefined();
  });

  it('lets no role Scan, use a DynamoDB wildcard, or touch another table', () => {
    const all = [
      ...policies.flatMap((p) => p.Properties.PolicyDocument.Statement),
      ...Object.values(roles).flatMap((r) => (r.Properties.Policies ?? []).flatMap((p) => p.PolicyDocument.Statement)),
    ].filter(isDynamo);
    expect(all.length).toBeGreaterThan(0);
    for (const s of all) {
      for (const a of asArray<string>(s.Action)) {
        expect(a).not.toMatch(/\*/);
        expect(a).not.toBe('dynamodb:Scan');
      }
      expect(s.Resource).toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });
    }
  });

  /** The tenant data role: the one role with user-partition data actions beyond the authorizers' attribute-limited ones. */
  const tenantRoleId = Object.keys(roles).find((id) => id.startsWith('TenantData'))!;

  it('confines the tenant data role: every statement on the caller\'s own partitions only, with the Null guard', () => {
    const statements = dynamoStatements(tenantRoleId);
    expect(statements).toHaveLength(1);
    for (const s of statements) {
      expect(asArray<string>(s.Action).sort()).toEqual([...TENANT_ACTIONS].sort());
      expect(s.Condition['ForAllValues:StringLike']['dynamodb:LeadingKeys']).toEqual(['USER#${aws:PrincipalTag/tenant}', 'RATE#${aws:PrincipalTag/tenant}#*']);
      expect(s.Condition.Null).toEqual({ 'dynamodb:LeadingKeys': 'false', 'aws:PrincipalTag/tenant': 'false' });
    }
  });

  it('lets only the functions granted `tenant` assume the tenant role, with the tenant tag only', () => {
    const trust = (roles[tenantRoleId] as any).Properties.AssumeRolePolicyDocument.Statement as any[];
    const arns = trust.find((s) => s.Action === 'sts:AssumeRole').Condition.ArnEquals['aws:PrincipalArn'] as unknown[];
    const tenantFunctions = Object.entries(EXPECTED).filter(([id]) => {
      const def = id === 'WebsocketFunction' ? WEBSOCKET.fn : id === 'WsReplyFunction' ? WEBSOCKET.reply : id === 'ThreadExpiryFunction' ? THREAD_EXPIRY : Object.entries(FUNCTIONS).find(([n]) => `${n[0]!.toUpperCase()}${n.slice(1)}Function` === id)?.[1];
      return def?.table.includes('tenant' as never);
    });
    expect(arns).toHaveLength(tenantFunctions.length);
    for (const [id] of tenantFunctions) expect(arns).toContainEqual({ 'Fn::GetAtt': [roleOf(id), 'Arn'] });
    const tagSession = trust.find((s) => s.Action === 'sts:TagSession');
    expect(tagSession.Condition['ForAllValues:StringEquals']['aws:TagKeys']).toEqual(['tenant']);
  });

  it('leaves no execution role a data action on user partitions but the authorizers\' attribute-limited ones', () => {
    for (const id of Object.keys(EXPECTED)) {
      for (const s of dynamoStatements(roleOf(id))) {
        const leading: string[] = s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] ?? [];
        expect(leading.length, `${id}: every statement names its key families`).toBeGreaterThan(0);
        if (leading.some((k) => k.startsWith('USER#') || k.startsWith('RATE#'))) {
          expect(['AuthorizerFunction', 'WsAuthorizerFunction'], `${id} reaches user partitions`).toContain(id);
          expect(s.Condition['ForAllValues:StringEquals']['dynamodb:Attributes']).toBeDefined();
        }
      }
    }
  });
});

describe('DynamoDB calls in the function code', () => {
  // A call whose action no grant holds fails only when deployed (AccessDenied, and the authorizer's
  // lastUsedAt write even swallows it). So every command the functions use must map to a granted action.
  const COMMAND_ACTIONS: Record<string, string[]> = {
    GetCommand: ['dynamodb:GetItem'],
    GetItemCommand: ['dynamodb:GetItem'],
    QueryCommand: ['dynamodb:Query'],
    PutCommand: ['dynamodb:PutItem'],
    PutItemCommand: ['dynamodb:PutItem'],
    UpdateCommand: ['dynamodb:UpdateItem'],
    UpdateItemCommand: ['dynamodb:UpdateItem'],
    DeleteCommand: ['dynamodb:DeleteItem'],
    DeleteItemCommand: ['dynamodb:DeleteItem'],
    BatchWriteCommand: ['dynamodb:BatchWriteItem'],
    BatchWriteItemCommand: ['dynamodb:BatchWriteItem'],
    BatchGetCommand: ['dynamodb:BatchGetItem'],
    BatchGetItemCommand: ['dynamodb:BatchGetItem'],
    // Authorised as their parts: Put/Update/Delete (checked via the parts' own commands' actions),
    // ConditionCheck as dynamodb:ConditionCheckItem (looked for below).
    TransactWriteCommand: [],
    TransactWriteItemsCommand: [],
    TransactGetCommand: ['dynamodb:GetItem'],
    TransactGetItemsCommand: ['dynamodb:GetItem'],
    ScanCommand: ['dynamodb:Scan'],
    ExecuteStatementCommand: ['dynamodb:PartiQLSelect'],
  };
  /** SDK commands of other services (granted elsewhere: the secret's read, ManageConnections, the model grant, the reply function's invoke). */
  const OTHER_SERVICES = new Set(['GetSecretValueCommand', 'AssumeRoleCommand', 'PostToConnectionCommand', 'DeleteConnectionCommand', 'GetConnectionCommand', 'ConverseStreamCommand', 'PutObjectCommand', 'GenerateDataKeyCommand', 'DecryptCommand', 'EncryptCommand', 'InvokeCommand']);
  const root = join(import.meta.dirname, '../../functions');
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join(root, f));

  it('uses only commands whose IAM actions the tenant role or a shared grant holds', () => {
    const granted = new Set<string>(TENANT_ACTIONS);
    let seen = 0;
    for (const file of files) {
      // Every `…Command`, imported or reached through a lazily imported module (`lib.GetCommand`).
      const text = readFileSync(file, 'utf8');
      const where = relative(root, file);
      for (const [, name] of text.matchAll(/\b(\w+Command)\b/g)) {
        if (OTHER_SERVICES.has(name!)) continue;
        const actions = COMMAND_ACTIONS[name!];
        expect(actions, `${where}: map ${name} to its IAM action here (and grant it in infra/constructs/table-access.ts)`).toBeDefined();
        for (const a of actions!) expect(granted.has(a), `${where}: ${name} needs ${a}`).toBe(true);
        seen++;
      }
      expect(/\bConditionCheck\s*:/.test(text), `${where}: a ConditionCheck needs dynamodb:ConditionCheckItem`).toBe(false);
    }
    expect(seen).toBeGreaterThan(0);
  });
});

describe('the authorizers\' attribute-limited session item', () => {
  it('reads and writes only the session attributes, reads with a projection', async () => {
    const sent: any[] = [];
    const store = new DynamoDbSessionStore(async () => ({ client: { send: async (c: any) => (sent.push(c.input), {}) } as never, lib: await import('@aws-sdk/lib-dynamodb') }), 't');
    await store.get('u1');
    await store.noteRole('u1', true, 1000);
    await store.signOut('u1', 1000);
    expect(sent).toHaveLength(3);
    expect(sent[0].ProjectionExpression.split(/,\s*/)).toEqual(expect.arrayContaining(['notBefore', 'keysReadOnly', 'roleIat']));
    for (const input of sent) {
      const named = [
        ...Object.keys(input.Key),
        ...`${input.ProjectionExpression ?? ''} ${input.UpdateExpression ?? ''} ${input.ConditionExpression ?? ''}`
          .replace(/[:#]\w+/g, ' ')
          .match(/[A-Za-z_]\w*/g)!
          .filter((w) => !['SET', 'AND', 'OR', 'NOT', 'attribute_exists', 'attribute_not_exists'].includes(w)),
      ];
      for (const attribute of named) expect(SESSION_ATTRIBUTES).toContain(attribute);
    }
  });
});

describe('the authorizers\' attribute-limited update', () => {
  it('names no attribute beyond the grant\'s dynamodb:Attributes (so IAM never refuses the lastUsedAt write)', async () => {
    const sent: any[] = [];
    const usage = new DynamoDbApiKeyUsage({
      sdk: async () => ({ client: { send: async (c: any) => void sent.push(c.input) } as never, lib: await import('@aws-sdk/lib-dynamodb') }),
      tableName: 't',
      clock: { now: () => new Date('2026-11-23T10:00:00Z') },
    });
    await usage.noteUse('a'.repeat(64), { keyId: 'k1', ownerId: 'u1', readOnly: false, enabled: true, lastUsedAt: null });
    const updates = sent.flatMap((input) => input.TransactItems.map((t: any) => t.Update));
    expect(updates).toHaveLength(2);
    const KEYWORDS = new Set(['SET', 'AND', 'OR', 'NOT', 'attribute_exists', 'attribute_not_exists']);
    for (const u of updates) {
      const named = [
        ...Object.keys(u.Key),
        ...`${u.UpdateExpression} ${u.ConditionExpression ?? ''}`.replace(/[:#]\w+/g, ' ').match(/[A-Za-z_]\w*/g)!.filter((w) => !KEYWORDS.has(w)),
        ...Object.values(u.ExpressionAttributeNames ?? {}),
      ];
      for (const attribute of named) expect(API_KEY_USAGE_ATTRIBUTES).toContain(attribute);
    }
  });
});

describe('one source for both walls', () => {
  it('synthesizes exactly the DynamoDB statements the local enforcing endpoint evaluates', async () => {
    const { rolesFromTemplate } = await import('../../infra/local/tenant-isolation/template-policies');
    const { auditImmutableStatement, executionRoleStatements, tenantRoleStatements } = await import('../../infra/tenant-access');
    const { template, stack } = synth();
    const json = template.toJSON();
    const tableId = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'))[0]!;
    const tableArn = 'arn:aws:dynamodb:local:000000000000:table/main';
    const roles = rolesFromTemplate(json as never, { region: 'local', accountId: '000000000000', resources: { [tableId]: { Ref: 'main', Arn: tableArn } }, unresolved: 'placeholder' });
    const dynamo = (docs: { Statement: unknown }[]) =>
      docs.flatMap((d) => (Array.isArray(d.Statement) ? d.Statement : [d.Statement])).filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('dynamodb:')));
    const canonical = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, canonical(x)])) : v;
    const normal = (statements: unknown[]) =>
      statements.map((s: any) => JSON.stringify(canonical({ ...s, Sid: undefined, Action: [s.Action].flat().sort(), Resource: [s.Resource].flat() }))).sort();
    const tenantRole = roles.find((r) => r.logicalId.startsWith('TenantData'))!;
    expect(normal(dynamo(tenantRole.policies as never))).toEqual(normal(tenantRoleStatements(tableArn)));
    for (const [id, def] of [['ThreadsFunction', FUNCTIONS.threads], ['WebsocketFunction', WEBSOCKET.fn], ['AuthorizerFunction', AUTHORIZERS.user]] as const) {
      const sf = stack.node.findChild(id) as ServiceFunction;
      const roleId = stack.getLogicalId(sf.fn.role!.node.defaultChild as CfnElement);
      const role = roles.find((r) => r.logicalId === roleId)!;
      expect(normal(dynamo(role.policies as never)), id).toEqual(normal([...executionRoleStatements(tableArn, def.table), auditImmutableStatement(tableArn)]));
    }
  });
});
