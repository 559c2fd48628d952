// The model provider's access, per CDK context: Bedrock streaming invocation of exactly the configured
// model (or inference profile and the model behind it, through that profile only) for the functions
// that run the agent; the OpenAI key secret readable by those functions only; nothing for `rules`.
import { describe, expect, it } from 'vitest';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FUNCTIONS, WEBSOCKET, runsModel } from '../../infra/routes';
import { synth } from '../helpers/synth';

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };
type Template = ReturnType<typeof synth>['template'];

const pascal = (s: string) => s.replace(/(^|[-_])(\w)/g, (_, __, c: string) => c.toUpperCase());
const ALL = { ...FUNCTIONS, Websocket: WEBSOCKET.fn, WsReply: WEBSOCKET.reply, WsAuthorizer: WEBSOCKET.authorizer };
const REPLYING = Object.entries(ALL).filter(([, def]) => runsModel(def)).map(([name]) => name);

/** `{Fn::Join}` / `{Ref}` rendered as text, e.g. `arn:${AWS::Partition}:bedrock:…`. */
const flat = (v: unknown): string => {
  if (typeof v === 'string') return v;
  const o = v as Record<string, unknown>;
  if ('Ref' in o) return `\${${String(o.Ref)}}`;
  if ('Fn::Join' in o) {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map(flat).join(sep);
  }
  if ('Fn::GetAtt' in o) return `\${${(o['Fn::GetAtt'] as string[]).join('.')}}`;
  return JSON.stringify(v);
};

function statementsOf(template: Template, name: string): Statement[] {
  const fns = template.findResources('AWS::Lambda::Function') as Record<string, { Properties: { Role: { 'Fn::GetAtt': [string] } } }>;
  const [, fn] = Object.entries(fns).find(([id]) => id.startsWith(`${pascal(name)}Function`))!;
  const role = fn.Properties.Role['Fn::GetAtt'][0];
  return (Object.values(template.findResources('AWS::IAM::Policy')) as Array<{ Properties: { Roles: Array<{ Ref: string }>; PolicyDocument: { Statement: Statement[] } } }>)
    .filter((p) => p.Properties.Roles.some((r) => r.Ref === role))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

const bedrockStatements = (template: Template, name: string) =>
  statementsOf(template, name)
    .filter((s) => JSON.stringify(s.Action).includes('bedrock:'))
    .map((s) => ({ action: s.Action, resource: [s.Resource].flat().map(flat), condition: s.Condition }));

const envOf = (template: Template, name: string): Record<string, unknown> => {
  const fns = template.findResources('AWS::Lambda::Function') as Record<string, { Properties: { Environment?: { Variables?: Record<string, unknown> } } }>;
  return Object.entries(fns).find(([id]) => id.startsWith(`${pascal(name)}Function`))![1].Properties.Environment?.Variables ?? {};
};

describe('model provider access', () => {
  it('runs the agent in the message, ChatKit and WebSocket reply functions only', () => {
    expect(REPLYING.sort()).toEqual(['WsReply', 'chatkit', 'messages']);
  });

  it('grants a cross-Region inference profile and the model behind it, through that profile only', () => {
    const { app, stack, template } = synth({ context: { 'threadguard:agentProvider': 'bedrock', 'threadguard:agentModel': 'us.anthropic.claude-3-5-haiku-20241022-v1:0' } });
    const profile = 'arn:${AWS::Partition}:bedrock:eu-west-1:111122223333:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0';
    for (const name of REPLYING) {
      expect(bedrockStatements(template, name), name).toEqual([
        { action: 'bedrock:InvokeModelWithResponseStream', resource: [profile], condition: undefined },
        {
          action: 'bedrock:InvokeModelWithResponseStream',
          resource: ['arn:${AWS::Partition}:bedrock:*::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0'],
          condition: { StringEquals: { 'bedrock:InferenceProfileArn': expect.anything() } },
        },
      ]);
      const [, behind] = statementsOf(template, name).filter((s) => JSON.stringify(s.Action).includes('bedrock:'));
      expect(flat((behind!.Condition as any).StringEquals['bedrock:InferenceProfileArn'])).toBe(profile);
      expect(envOf(template, name)).toMatchObject({ AGENT_PROVIDER: 'bedrock', AGENT_MODEL: 'us.anthropic.claude-3-5-haiku-20241022-v1:0' });
    }
    for (const name of Object.keys(ALL).filter((n) => !REPLYING.includes(n))) expect(bedrockStatements(template, name), name).toEqual([]);
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('grants a foundation model id in this Region only', () => {
    const { template } = synth({ context: { 'threadguard:agentProvider': 'bedrock', 'threadguard:agentModel': 'amazon.nova-lite-v1:0' } });
    for (const name of REPLYING) {
      expect(bedrockStatements(template, name), name).toEqual([
        { action: 'bedrock:InvokeModelWithResponseStream', resource: ['arn:${AWS::Partition}:bedrock:eu-west-1::foundation-model/amazon.nova-lite-v1:0'], condition: undefined },
      ]);
    }
    expect(Object.keys(template.findResources('AWS::SecretsManager::Secret')).filter((id) => id.startsWith('OpenAiApiKey'))).toEqual([]);
  });

  it('creates the OpenAI key secret for the openai provider, readable by the replying functions only', () => {
    const { app, stack, template } = synth({ context: { 'threadguard:agentProvider': 'openai' } });
    const secrets = Object.keys(template.findResources('AWS::SecretsManager::Secret')).filter((id) => id.startsWith('OpenAiApiKey'));
    expect(secrets).toHaveLength(1);
    for (const name of Object.keys(ALL)) {
      const reads = statementsOf(template, name).filter((s) => JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue') && JSON.stringify(s.Resource).includes(secrets[0]!));
      expect(reads.length, name).toBe(REPLYING.includes(name) ? 1 : 0);
      expect(Object.keys(envOf(template, name)).includes('OPENAI_API_KEY_ARN'), name).toBe(REPLYING.includes(name));
      expect(bedrockStatements(template, name), name).toEqual([]);
    }
    expect(envOf(template, 'messages')).toMatchObject({ AGENT_PROVIDER: 'openai', AGENT_MODEL: 'gpt-4.1-mini' });
    expect(new AwsSolutionsChecks(app).validateScope(stack).violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('uses an existing OpenAI key secret when its ARN is given', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:openai-key-AbCdEf';
    const { template } = synth({ context: { 'threadguard:agentProvider': 'openai', 'threadguard:openAiSecretArn': arn } });
    expect(Object.keys(template.findResources('AWS::SecretsManager::Secret')).filter((id) => id.startsWith('OpenAiApiKey'))).toEqual([]);
    expect(envOf(template, 'chatkit').OPENAI_API_KEY_ARN).toBe(arn);
  });

  it('grants no provider access for the built-in rules model', () => {
    const { template } = synth();
    for (const name of Object.keys(ALL)) {
      expect(bedrockStatements(template, name), name).toEqual([]);
      expect(envOf(template, name)).not.toHaveProperty('OPENAI_API_KEY_ARN');
    }
  });

  it.each([
    [{ 'threadguard:agentProvider': 'anthropic' }, /agentProvider.*AGENT_PROVIDER: must be one of rules, bedrock, openai/],
    [{ 'threadguard:agentProvider': 'bedrock', 'threadguard:agentModel': 'arn:aws:bedrock:us-east-1::foundation-model/x' }, /AGENT_MODEL/],
  ])('refuses a bad provider or model at synth: %o', (context, message) => {
    expect(() => synth({ context })).toThrow(message);
  });
});
