// NodejsFunction with the team defaults: Node.js 24 on ARM, local esbuild (never Docker), ESM bundle,
// its own log group with retention, and exactly the table access its definition declares.
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { functionEnvironment, type Settings } from '../function-environment';
import type { ModelConfig } from '../../functions/shared/config';
import { BUNDLING, runsModel, sealsContent, timeoutSecondsOf, type FunctionDef, type SecretName } from '../routes';
import type { ContentKey } from './content-key';
import { grantBedrockModel } from './model-access';
import { grantTableAccess } from './table-access';
import type { TenantDataRole } from './tenant-data-role';

const FUNCTIONS_ROOT = fileURLToPath(new URL('../../functions/', import.meta.url));

export interface ServiceFunctionProps {
  readonly def: FunctionDef;
  /** Every setting's value; the function gets only those `def.env` lists. */
  readonly settings: Settings;
  /** Every secret (null: not configured); the function gets the ARN of, and read access to, only those `def.secrets` lists. */
  readonly secrets: Readonly<Record<SecretName, ISecret | null>>;
  /** The agent's provider and model: a function that runs the agent may invoke this model only. */
  readonly agent: ModelConfig;
  /** The main table: granted as `def.table` says. Required unless that is empty. */
  readonly table?: ITableV2;
  /** The role assumed per user; required when `def.table` holds `tenant`. */
  readonly tenantRole?: TenantDataRole;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** Reserved concurrency: both a floor held for this function and its ceiling. @default none (the account's shared pool) */
  readonly reservedConcurrency?: number;
  /** The content key: a function that seals content (`sealsContent`) may use it. Required for those. */
  readonly contentKey?: ContentKey;
  /** `replyTimeoutSeconds`: the timeout of a function serving the reply routes or running replies (timeoutSecondsOf). Required for those. */
  readonly replyTimeoutSeconds?: number;
}

export class ServiceFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly def: FunctionDef;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    this.def = props.def;
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An own role that may write only to this function's log group (no managed basic-execution policy).
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(role);
    this.fn = new NodejsFunction(this, 'Function', {
      role,
      entry: `${FUNCTIONS_ROOT}${props.def.dir}/handler.ts`,
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.def.memoryMb ?? 512,
      timeout: Duration.seconds(timeoutSecondsOf(props.def, props.replyTimeoutSeconds)),
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      // JSON platform lines (START/END/REPORT, timeouts) beside Powertools' JSON: one format to query.
      loggingFormat: LoggingFormat.JSON,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: functionEnvironment(
        props.def,
        props.settings,
        Object.fromEntries(Object.entries(props.secrets).map(([name, s]) => [name, s && { arn: s.secretArn }])) as Record<SecretName, { arn: string } | null>,
        props.tenantRole && { roleArn: props.tenantRole.role.roleArn, credentialsSecret: { arn: props.tenantRole.credentialsSecret.secretArn } },
      ),
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: BUNDLING.target,
        minify: BUNDLING.minify,
        keepNames: BUNDLING.keepNames,
        sourceMap: BUNDLING.sourcemap,
        // The OpenAI SDK only in a replying function of an OpenAI deployment (model-factory.ts loads it lazily).
        externalModules: [...BUNDLING.external, ...(runsModel(props.def) && props.agent.provider === 'openai' ? [] : ['openai'])],
        banner: BUNDLING.banner,
      },
    });
    for (const name of props.def.secrets ?? []) props.secrets[name]?.grantRead(this.fn);
    if (runsModel(props.def) && props.agent.provider === 'bedrock') grantBedrockModel(role, props.agent.model);
    if (sealsContent(props.def)) {
      if (!props.contentKey) throw new Error(`functions/${props.def.dir} seals content but got no content key`);
      props.contentKey.allowFunction(role);
    }
    if (props.def.table.length > 0) {
      if (!props.table) throw new Error(`functions/${props.def.dir} declares table access '${props.def.table.join(', ')}' but got no table`);
      grantTableAccess(props.table, this.fn, props.def.table, props.tenantRole?.role);
      if (props.def.table.includes('tenant')) {
        props.tenantRole?.trust(role);
        props.tenantRole?.credentialsSecret.grantRead(this.fn);
      }
    }
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments/PutTelemetryRecords only accept Resource "*"; table grants name the table ARN only.',
    });
  }
}
