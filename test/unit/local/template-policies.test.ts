import { describe, expect, it } from 'vitest';
import { rolesFromTemplate, UnresolvableTemplateValueError, type CfnTemplate } from '../../../infra/local/tenant-isolation/template-policies';

// The shapes CDK synthesizes: a table, an execution role with an attached AWS::IAM::Policy, and a
// tenant role whose trust policy names the execution role.
const template: CfnTemplate = {
  Resources: {
    MainTable: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    ThreadsRole: {
      Type: 'AWS::IAM::Role',
      Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }] } },
    },
    ThreadsRoleDefaultPolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: 'ThreadsRole' }],
        PolicyDocument: {
          Statement: [
            { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: { 'Fn::GetAtt': ['TenantRole', 'Arn'] } },
            { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: 'SomeSecret' } },
          ],
        },
      },
    },
    TenantRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Principal: { AWS: { 'Fn::GetAtt': ['ThreadsRole', 'Arn'] } } }],
        },
        Policies: [
          {
            PolicyName: 'data',
            PolicyDocument: {
              Statement: [
                {
                  Effect: 'Allow',
                  Action: 'dynamodb:GetItem',
                  Resource: [{ 'Fn::GetAtt': ['MainTable', 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['MainTable', 'Arn'] }, '/index/*']] }],
                  Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['T#${aws:PrincipalTag/tenant}'] } },
                },
                { Effect: 'Deny', Action: 'dynamodb:*', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${MainTable}-backup' } },
              ],
            },
          },
        ],
      },
    },
  },
};
const TABLE_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/threadguard-main';
const local = { region: 'eu-west-1', accountId: '123456789012', resources: { MainTable: { Ref: 'threadguard-main', Arn: TABLE_ARN } } };

describe('rolesFromTemplate', () => {
  it('gives each role its inline and attached policies with intrinsics resolved, and its trusted roles', () => {
    // Act
    const roles = rolesFromTemplate(template, { ...local, unresolved: 'placeholder' });
    // Assess
    const tenant = roles.find((r) => r.logicalId === 'TenantRole')!;
    expect(tenant.arn).toBe('arn:aws:iam::123456789012:role/TenantRole');
    expect(tenant.trustedBy).toEqual(['arn:aws:iam::123456789012:role/ThreadsRole']);
    expect(tenant.policies).toEqual([
      {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'dynamodb:GetItem',
            Resource: [TABLE_ARN, `${TABLE_ARN}/index/*`],
            // Policy variables are IAM's, not CloudFormation's: they stay as they are.
            Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['T#${aws:PrincipalTag/tenant}'] } },
          },
          { Effect: 'Deny', Action: 'dynamodb:*', Resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/threadguard-main-backup' },
        ],
      },
    ]);
    const threads = roles.find((r) => r.logicalId === 'ThreadsRole')!;
    expect(threads.trustedBy).toEqual([]);
    expect(threads.policies[0]!.Statement).toEqual([
      { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: tenant.arn },
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: 'arn:aws:unresolved:::SomeSecret/Ref' },
    ]);
  });

  it('refuses, by default, a reference it has no local value for', () => {
    expect(() => rolesFromTemplate(template, local)).toThrow(UnresolvableTemplateValueError);
  });
});
