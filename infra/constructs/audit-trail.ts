// The audit trail nobody can edit: (1) an explicit Deny of DeleteItem/UpdateItem on audit keys for
// every function role (an explicit Deny wins over any Allow, table-access.ts included), and (2) an
// archive of every audit event in S3 under Object Lock in compliance mode, which not even the
// account root can shorten or delete before it expires (S3 User Guide, "Retention modes":
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html#object-lock-retention-modes).
import { Duration, RemovalPolicy, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectLockRetention, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ModelConfig } from '../../functions/shared/config';
import type { Settings } from '../function-environment';
import { auditImmutableStatement } from '../tenant-access';
import { ServiceFunction } from './service-function';

export { AUDIT_DENIED_ACTIONS, AUDIT_KEY_PREFIXES } from '../tenant-access';


export interface AuditTrailProps {
  readonly table: TableV2;
  /** Every function role of the stack (the archive function's own is added here). */
  readonly roles: readonly IRole[];
  /** Days each archived object is locked. */
  readonly retentionDays: number;
  readonly logRetention: RetentionDays;
  readonly settings: Settings;
  readonly agent: ModelConfig;
}

export class AuditTrail extends Construct {
  readonly bucket: Bucket;
  readonly archiver: ServiceFunction;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Archive', {
      objectLockEnabled: true,
      objectLockDefaultRetention: ObjectLockRetention.compliance(Duration.days(props.retentionDays)),
      versioned: true, // Object Lock requires it
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Locked objects outlive any stack; the lifecycle removes them once their lock has passed.
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(props.retentionDays + 1), noncurrentVersionExpiration: Duration.days(props.retentionDays + 1) }],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Only the archive function writes here and nothing can change or delete a locked object; CloudTrail data events are the record of reads if an operator wants one.',
    });

    this.archiver = new ServiceFunction(this, 'Archiver', {
      def: { dir: 'audit-archive', table: [], env: [], memoryMb: 256 },
      settings: props.settings,
      secrets: { CURSOR_SECRET: null, WEBHOOK_TOKEN: null, OPENAI_API_KEY: null },
      agent: props.agent,
      logRetention: props.logRetention,
    });
    this.archiver.fn.addEnvironment('AUDIT_ARCHIVE_BUCKET', this.bucket.bucketName);
    // PutObject only (CDK's grantPut adds s3:Abort* and more): the archive only ever adds objects.
    this.archiver.fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects('audit/*')] }));
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement);
    Validations.of(this.archiver).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/audit/*]`,
      reason: 'The archive function writes new objects under any key of its own archive bucket (one per day and batch); Object Lock keeps every written object unchanged.',
    });
    this.archiver.fn.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 1000,
        maxBatchingWindow: Duration.seconds(60),
        // Retried until it lands: a skipped batch would be a gap in the archive. The stream keeps
        // records 24 hours, which the alarm on this function's errors leaves time to act on.
        retryAttempts: -1,
        // Each event once: inserts of the per-user copy (AUDIT#…), not the day list's (AUDIT_ALL#…).
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('INSERT'),
            dynamodb: { Keys: { PK: { S: FilterRule.beginsWith('AUDIT#') } } },
          }),
        ],
      }),
    );

    // The same document the local IAM wall evaluates (infra/tenant-access.ts).
    const deny = PolicyStatement.fromJson(auditImmutableStatement(props.table.tableArn));
    new Policy(this, 'DenyAuditEdits', {
      statements: [deny],
      roles: [...props.roles, this.archiver.fn.role!],
    });
  }
}
