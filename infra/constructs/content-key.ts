// The customer-managed KMS key user content is ultimately wrapped under (the third wall). Its key
// policy is the whole of who may use it: the account administers the key (and nothing more; no
// cryptographic use), and only the functions' roles added through `allowFunction` may call
// GenerateDataKey and Decrypt, and only with exactly the encryption-context keys the design uses
// (functions/shared/adapters/kek-source.ts), for the key-encryption-key purpose.
// https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context-keys
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccountRootPrincipal, PolicyDocument, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { KEK_PURPOSE, KMS_CONTEXT_KEYS } from '../../functions/shared/adapters/kms-context';

/** Key administration without cryptographic use (KMS's "key administrators" set). */
const ADMIN_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
];

export interface ContentKeyProps {
  /**
   * What happens to the key when the stack is deleted. Destroying it destroys every user's content
   * for good, so it is retained unless the operator chooses otherwise.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

export class ContentKey extends Construct {
  readonly key: Key;
  private readonly policy: PolicyDocument;

  constructor(scope: Construct, id: string, props: ContentKeyProps = {}) {
    super(scope, id);
    this.policy = new PolicyDocument({
      statements: [new PolicyStatement({ sid: 'KeyAdministration', principals: [new AccountRootPrincipal()], actions: ADMIN_ACTIONS, resources: ['*'] })],
    });
    this.key = new Key(this, 'Key', {
      description: 'ThreadGuard content: wraps the key-encryption keys that wrap each user key',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      pendingWindow: Duration.days(30),
      policy: this.policy,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }

  /** Lets a function's role make and unwrap key-encryption keys, with this design's encryption context only. */
  allowFunction(role: IRole): void {
    this.policy.addStatements(
      new PolicyStatement({
        principals: [role],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: {
          // No context key but these, and the purpose present and ours (so a request without a context fails too).
          'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': [...KMS_CONTEXT_KEYS] },
          StringEquals: { 'kms:EncryptionContext:tg:purpose': KEK_PURPOSE },
        },
      }),
    );
  }
}
