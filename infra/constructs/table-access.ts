// Turns a function's declared table grants (infra/routes.ts) into IAM statements: the documents of
// infra/tenant-access.ts, which the local stack's enforcing endpoint evaluates too. A function with
// `tenant` may assume the tenant data role (with its `tenant` session tag) and gets its ARN.
import { Effect, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { executionRoleStatements, type PolicyStatementJson, type TableGrant } from '../tenant-access';

export const toStatement = (json: PolicyStatementJson): PolicyStatement => PolicyStatement.fromJson(json);

/** Grants exactly `grants` on `table` to `grantee`; `tenantRole` is the role assumed per user. */
export function grantTableAccess(table: ITableV2, grantee: IGrantable, grants: readonly TableGrant[], tenantRole?: IRole): void {
  for (const json of executionRoleStatements(table.tableArn, grants)) grantee.grantPrincipal.addToPrincipalPolicy(toStatement(json));
  if (!grants.includes('tenant')) return;
  if (!tenantRole) throw new Error('a function with the tenant grant needs the tenant data role');
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ['sts:AssumeRole', 'sts:TagSession'],
      resources: [tenantRole.roleArn],
      // Only the one tag the role's policy reads, so a caller cannot add tags of its own.
      conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['tenant'] }, Null: { 'aws:RequestTag/tenant': 'false' } },
    }),
  );
}
