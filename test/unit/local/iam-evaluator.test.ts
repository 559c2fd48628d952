import { describe, expect, it } from 'vitest';
import { evaluateOperator, requestContext, substituteVariables, UnsupportedConditionOperatorError } from '../../../infra/local/tenant-isolation/iam-conditions';
import { authorize, denialMessage, type PolicyDocument } from '../../../infra/local/tenant-isolation/iam-evaluator';

const TABLE = 'arn:aws:dynamodb:eu-west-1:123456789012:table/main';
const tenantPolicy: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Put*'],
      Resource: [TABLE, `${TABLE}/index/*`],
      Condition: {
        'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['T#${aws:PrincipalTag/tenant}'] },
        Null: { 'dynamodb:LeadingKeys': 'false' },
      },
    },
  ],
};
const ctx = (keys: Record<string, string | string[] | undefined>) => requestContext({ 'aws:PrincipalTag/tenant': 'abc', ...keys });

describe('authorize (IAM evaluation of a request)', () => {
  it.each([
    ['own partition', 'dynamodb:GetItem', TABLE, { 'dynamodb:LeadingKeys': 'T#abc' }, true],
    ['another partition', 'dynamodb:GetItem', TABLE, { 'dynamodb:LeadingKeys': 'T#xyz' }, false],
    ['own and another partition (a batch)', 'dynamodb:GetItem', TABLE, { 'dynamodb:LeadingKeys': ['T#abc', 'T#xyz'] }, false],
    ['no leading keys (a Scan): the Null guard denies', 'dynamodb:Query', TABLE, {}, false],
    ['an empty leading-key set counts as missing', 'dynamodb:Query', TABLE, { 'dynamodb:LeadingKeys': [] }, false],
    ['an action the policy does not list', 'dynamodb:DeleteItem', TABLE, { 'dynamodb:LeadingKeys': 'T#abc' }, false],
    ['an action matched by a wildcard', 'dynamodb:PutItem', TABLE, { 'dynamodb:LeadingKeys': 'T#abc' }, true],
    ['action names are case-insensitive', 'DynamoDB:getitem', TABLE, { 'dynamodb:LeadingKeys': 'T#abc' }, true],
    ['an index of the table', 'dynamodb:Query', `${TABLE}/index/byOwner`, { 'dynamodb:LeadingKeys': 'T#abc' }, true],
    ['another table', 'dynamodb:GetItem', `${TABLE}2`, { 'dynamodb:LeadingKeys': 'T#abc' }, false],
    ['a wildcard in the key value is not a wildcard under StringEquals', 'dynamodb:GetItem', TABLE, { 'dynamodb:LeadingKeys': 'T#*' }, false],
  ])('%s', (_, action, resource, keys, allowed) => {
    // Act
    const decision = authorize({ identityPolicies: [tenantPolicy] }, { action, resource, context: ctx(keys) });
    // Assess
    expect(decision.allowed).toBe(allowed);
  });

  it('denies when the principal tag is missing: an unresolved policy variable matches nothing', () => {
    const decision = authorize({ identityPolicies: [tenantPolicy] }, { action: 'dynamodb:GetItem', resource: TABLE, context: requestContext({ 'dynamodb:LeadingKeys': 'T#' }) });
    expect(decision.allowed).toBe(false);
  });

  it('lets an explicit Deny win over an Allow', () => {
    const deny: PolicyDocument = { Statement: { Effect: 'Deny', Action: 'dynamodb:*', Resource: '*' } };
    const decision = authorize({ identityPolicies: [tenantPolicy, deny] }, { action: 'dynamodb:GetItem', resource: TABLE, context: ctx({ 'dynamodb:LeadingKeys': 'T#abc' }) });
    expect(decision).toEqual({ allowed: false, reason: 'explicit-deny', policyType: 'identity-based' });
  });

  it('intersects with the session policy: both must allow', () => {
    const session: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: TABLE }] };
    const policies = { identityPolicies: [tenantPolicy], sessionPolicy: session };
    const own = ctx({ 'dynamodb:LeadingKeys': 'T#abc' });
    expect(authorize(policies, { action: 'dynamodb:GetItem', resource: TABLE, context: own }).allowed).toBe(true);
    expect(authorize(policies, { action: 'dynamodb:PutItem', resource: TABLE, context: own })).toEqual({ allowed: false, reason: 'no-allow', policyType: 'session' });
    // A session policy never widens: it allows GetItem anywhere, the role does not.
    expect(authorize(policies, { action: 'dynamodb:GetItem', resource: TABLE, context: ctx({ 'dynamodb:LeadingKeys': 'T#xyz' }) }).allowed).toBe(false);
  });

  it('honours NotAction and NotResource', () => {
    const policy: PolicyDocument = { Statement: { Effect: 'Allow', NotAction: 'dynamodb:Scan', NotResource: `${TABLE}/index/*` } };
    const at = (action: string, resource: string) => authorize({ identityPolicies: [policy] }, { action, resource, context: ctx({}) }).allowed;
    expect([at('dynamodb:Query', TABLE), at('dynamodb:Scan', TABLE), at('dynamodb:Query', `${TABLE}/index/x`)]).toEqual([true, false, false]);
  });

  it('substitutes policy variables in Resource', () => {
    const policy: PolicyDocument = { Statement: { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: 'arn:aws:dynamodb:*:*:table/${aws:PrincipalTag/tenant}-*' } };
    const at = (resource: string) => authorize({ identityPolicies: [policy] }, { action: 'dynamodb:GetItem', resource, context: ctx({}) }).allowed;
    expect([at('arn:aws:dynamodb:r:1:table/abc-x'), at('arn:aws:dynamodb:r:1:table/xyz-x')]).toEqual([true, false]);
  });

  it.each([
    [{ allowed: false, reason: 'no-allow', policyType: 'identity-based' }, 'because no identity-based policy allows the dynamodb:GetItem action'],
    [{ allowed: false, reason: 'no-allow', policyType: 'session' }, 'because no session policy allows the dynamodb:GetItem action'],
    [{ allowed: false, reason: 'explicit-deny', policyType: 'identity-based' }, 'with an explicit deny in an identity-based policy'],
  ] as const)('words the denial as AWS does (%o)', (decision, tail) => {
    const msg = denialMessage('arn:aws:sts::123456789012:assumed-role/tenant/s1', { action: 'dynamodb:GetItem', resource: TABLE, context: ctx({}) }, decision);
    expect(msg).toBe(`User: arn:aws:sts::123456789012:assumed-role/tenant/s1 is not authorized to perform: dynamodb:GetItem on resource: ${TABLE} ${tail}`);
  });
});

describe('condition operators', () => {
  const c = ctx({ 'dynamodb:LeadingKeys': ['T#abc', 'T#abd'], 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES', 'aws:SecureTransport': 'true', 'aws:userid': 'AROAEXAMPLE:tenant-abc' });
  it.each([
    ['StringEquals on a single value', 'StringEquals', { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' }, true],
    ['StringEquals, no value matches', 'StringEquals', { 'dynamodb:Select': ['ALL_ATTRIBUTES', 'COUNT'] }, false],
    ['StringEquals on a missing key is false', 'StringEquals', { 'dynamodb:Attributes': 'a' }, false],
    ['StringEqualsIfExists on a missing key is true', 'StringEqualsIfExists', { 'dynamodb:Attributes': 'a' }, true],
    ['StringNotEquals on a missing key is true', 'StringNotEquals', { 'dynamodb:Attributes': 'a' }, true],
    ['StringLike with a wildcard', 'StringLike', { 'dynamodb:Select': 'SPECIFIC_*' }, true],
    ['StringNotLike', 'StringNotLike', { 'dynamodb:Select': 'ALL_*' }, true],
    ['ForAllValues:StringLike, every value matches', 'ForAllValues:StringLike', { 'dynamodb:LeadingKeys': 'T#ab?' }, true],
    ['ForAllValues:StringEquals, one value does not', 'ForAllValues:StringEquals', { 'dynamodb:LeadingKeys': 'T#abc' }, false],
    ['ForAllValues on a missing key is true (why policies need the Null guard)', 'ForAllValues:StringEquals', { 'dynamodb:Attributes': 'x' }, true],
    ['ForAnyValue:StringEquals, one value matches', 'ForAnyValue:StringEquals', { 'dynamodb:LeadingKeys': 'T#abd' }, true],
    ['ForAnyValue on a missing key is false', 'ForAnyValue:StringEquals', { 'dynamodb:Attributes': 'x' }, false],
    ['ForAllValues:StringNotLike, no value matches the pattern', 'ForAllValues:StringNotLike', { 'dynamodb:LeadingKeys': 'X#*' }, true],
    ['Null true: the key is absent', 'Null', { 'dynamodb:Attributes': 'true' }, true],
    ['Null false: the key is present', 'Null', { 'dynamodb:LeadingKeys': 'false' }, true],
    ['Null false on an absent key', 'Null', { 'dynamodb:Attributes': 'false' }, false],
    ['Bool', 'Bool', { 'aws:SecureTransport': 'true' }, true],
    ['Bool given as a JSON boolean', 'Bool', { 'aws:SecureTransport': false }, false],
    ['condition keys are case-insensitive', 'StringEquals', { 'DynamoDB:select': 'SPECIFIC_ATTRIBUTES' }, true],
    ['policy variable in the value: one key is the tenant\'s', 'ForAnyValue:StringLike', { 'dynamodb:LeadingKeys': 'T#${aws:PrincipalTag/tenant}*' }, true],
    ['policy variable in the value: not every key is the tenant\'s', 'ForAllValues:StringLike', { 'dynamodb:LeadingKeys': 'T#${aws:PrincipalTag/tenant}*' }, false],
    ['aws:userid as a condition key', 'StringLike', { 'aws:userid': 'AROA*:tenant-*' }, true],
    ['${aws:userid} as a policy variable', 'StringLike', { 'aws:userid': '${aws:userid}' }, true],
    ['a variable default applies when the key is missing', 'StringEquals', { 'dynamodb:Select': "${aws:PrincipalTag/none, 'SPECIFIC_ATTRIBUTES'}" }, true],
  ])('%s', (_, op, block, expected) => {
    expect(evaluateOperator(op, block as Record<string, string | string[] | boolean>, c)).toBe(expected);
  });

  it('refuses an operator it does not implement instead of guessing', () => {
    expect(() => evaluateOperator('DateGreaterThan', { 'aws:CurrentTime': '2020-01-01' }, c)).toThrow(UnsupportedConditionOperatorError);
  });

  it('treats ${*} as a literal asterisk in a StringLike pattern', () => {
    const lit = requestContext({ k: ['a*b'] });
    expect(evaluateOperator('StringLike', { k: 'a${*}b' }, lit)).toBe(true);
    expect(evaluateOperator('StringLike', { k: 'a${*}b' }, requestContext({ k: ['axxb'] }))).toBe(false);
  });

  it('leaves a string without variables as it is, and gives undefined for an unresolvable one', () => {
    expect(substituteVariables('T#plain', c)).toBe('T#plain');
    expect(substituteVariables('T#${aws:PrincipalTag/missing}', c)).toBeUndefined();
  });
});
