// The main table's customer-managed key: a function that reads or writes the table uses it through
// DynamoDB, so its role may use the key only via DynamoDB in this region ("Authorizing use of your
// KMS key": https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html).
// Actions are named one by one (no `kms:GenerateDataKey*`) so no wildcard reaches a role.
import { Stack } from 'aws-cdk-lib';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';

export const TABLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:DescribeKey'] as const;

export function grantTableKeyUse(key: IKey, grantees: readonly IGrantable[]): void {
  for (const grantee of grantees) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...TABLE_KEY_ACTIONS],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(key).region}.amazonaws.com` } },
      }),
    );
  }
}
