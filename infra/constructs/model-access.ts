// What a function that runs the agent may call at its model provider, and nothing more:
// - Bedrock: `bedrock:InvokeModelWithResponseStream` (the action ConverseStream is authorised as) on
//   the configured foundation model in this Region, or on the configured inference profile plus
//   the foundation model it routes to, in whichever Region the profile sends a request, and only
//   when called through that profile (`bedrock:InferenceProfileArn`), as the Bedrock guide's
//   "Prerequisites for inference profiles" describes:
//   https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html
// - OpenAI: read access to the one secret holding the API key (granted by ServiceFunction).
import { Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';

/**
 * First segments of system-defined (cross-Region) inference profile ids, e.g.
 * `us.anthropic.claude-3-5-haiku-20241022-v1:0`; a foundation model id starts with its vendor
 * (`amazon.nova-lite-v1:0`). https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html
 */
const INFERENCE_PROFILE_PREFIXES = ['us', 'us-gov', 'eu', 'apac', 'jp', 'au', 'ca', 'global'] as const;

export interface BedrockTarget {
  /** The ARN the function invokes (a foundation model, or an inference profile). */
  readonly invoked: string;
  /** The foundation model behind an inference profile (any Region, through that profile only). */
  readonly behindProfile: string | null;
}

/** The ARNs a model or inference profile id resolves to in this stack's partition, Region and account. */
function bedrockTarget(stack: Stack, modelId: string): BedrockTarget {
  const [prefix, ...rest] = modelId.split('.');
  const isProfile = (INFERENCE_PROFILE_PREFIXES as readonly string[]).includes(prefix ?? '') && rest.length >= 2;
  const { partition, region, account } = stack;
  if (!isProfile) return { invoked: `arn:${partition}:bedrock:${region}::foundation-model/${modelId}`, behindProfile: null };
  return {
    invoked: `arn:${partition}:bedrock:${region}:${account}:inference-profile/${modelId}`,
    behindProfile: `arn:${partition}:bedrock:*::foundation-model/${rest.join('.')}`,
  };
}

/** Grants a function's role streaming invocation of exactly this model (or profile and the model behind it). */
export function grantBedrockModel(role: IRole, modelId: string): void {
  const stack = Stack.of(role);
  const target = bedrockTarget(stack, modelId);
  const action = 'bedrock:InvokeModelWithResponseStream';
  role.addToPrincipalPolicy(new PolicyStatement({ actions: [action], resources: [target.invoked] }));
  if (!target.behindProfile) return;
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [action],
      resources: [target.behindProfile],
      conditions: { StringEquals: { 'bedrock:InferenceProfileArn': target.invoked } },
    }),
  );
  const modelPart = target.behindProfile.replace(`arn:${stack.partition}:`, 'arn:<AWS::Partition>:');
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${modelPart}]`,
    reason: 'A cross-Region inference profile routes to the same foundation model in Regions it chooses; the Region is a wildcard, the model is one, and only calls through the configured profile are allowed (bedrock:InferenceProfileArn).',
  });
}
