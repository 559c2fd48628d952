// The tenant data role: what every request runs with when it touches a user's partitions. Functions
// assume it per user with the session tag `tenant` (functions/shared/adapters/tenant-clients.ts); its
// one statement (infra/tenant-access.ts) lets a session reach only partitions whose key names that
// tag. Only the roles of functions granted `tenant` may assume it, and only with that one tag.
import { Duration, Lazy, Stack, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { AccountPrincipal, Effect, PolicyDocument, PolicyStatement, Role, type IRole } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { tenantRoleStatements } from '../tenant-access';
import { toStatement } from './table-access';

export class TenantDataRole extends Construct {
  readonly role: Role;
  /** Seals the credentials shared by all environments (functions/shared/adapters/tenant-credential-cache.ts). */
  readonly credentialsSecret: Secret;
  readonly #trusted: IRole[] = [];

  constructor(scope: Construct, id: string, props: { table: ITableV2 }) {
    super(scope, id);
    const account = Stack.of(this).account;
    // The account may delegate, and the condition names exactly the function roles that may use it.
    const trustedArns = Lazy.list({ produce: () => this.#trusted.map((r) => r.roleArn) });
    const principal = new AccountPrincipal(account).withConditions({ ArnEquals: { 'aws:PrincipalArn': trustedArns } });
    this.role = new Role(this, 'Role', {
      description: 'ThreadGuard tenant data role: assumed per user; reaches only that user\'s partitions',
      assumedBy: principal,
      // AssumeRole by a Lambda role is role chaining: sessions last at most one hour anyway.
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: { OwnPartitionsOnly: new PolicyDocument({ statements: tenantRoleStatements(props.table.tableArn).map(toStatement) }) },
    });
    this.credentialsSecret = new Secret(this, 'CredentialsSecret', {
      description: 'ThreadGuard: seals the tenant credentials shared by function environments',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(this.credentialsSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Seals credentials that expire within an hour; rotating it only makes cached ones unreadable (functions ask STS again).',
    });
    this.role.assumeRolePolicy!.addStatements(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['sts:TagSession'],
        principals: [principal],
        conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['tenant'] } },
      }),
    );
  }

  /** Lets `role` assume this role (with the `tenant` tag). */
  trust(role: IRole): void {
    this.#trusted.push(role);
  }
}
