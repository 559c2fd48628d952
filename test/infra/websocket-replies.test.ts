// The WebSocket API's reply function, read from the synthesized template: its Lambda timeout is the
// reply timeout (past the route integration's 29 s), an asynchronous invocation of it is never
// retried nor kept queued past a minute, the WebSocket function's role may invoke exactly it (and
// no other role, no resource policy: nothing else can hand it a job), and it may post to the
// WebSocket API's connections.
import { describe, expect, it } from 'vitest';
import { AwsSolutionsChecks } from 'cdk-nag';
import { REPLY_TIMEOUT_SECONDS } from '../../infra/reply-timeout';
import { WEBSOCKET } from '../../infra/routes';
import { synth } from '../helpers/synth';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
type Res = { Type: string; Properties: Record<string, any> };

describe('the WebSocket reply function', () => {
  const { app, stack, template } = synth();
  const resources = template.toJSON().Resources as Record<string, Res>;
  const idOf = (prefix: string, type: string) => Object.entries(resources).find(([id, r]) => r.Type === type && id.startsWith(prefix))![0];
  const replyFn = idOf('WsReplyFunction', 'AWS::Lambda::Function');
  const websocketFn = idOf('WebsocketFunction', 'AWS::Lambda::Function');
  const roleOf = (fnId: string): string => resources[fnId]!.Properties.Role['Fn::GetAtt'][0];
  /** Every Allow statement of every role policy, with the roles it is attached to. */
  const statements = Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .flatMap((p) => (p.Properties.PolicyDocument.Statement as Statement[]).map((s) => ({ ...s, roles: (p.Properties.Roles as Array<{ Ref: string }>).map((r) => r.Ref) })));

  it('runs for the reply timeout (replyTimeoutSeconds), past the route integration\'s 29 s', () => {
    expect(resources[replyFn]!.Properties.Timeout).toBe(REPLY_TIMEOUT_SECONDS.default);
    expect(resources[replyFn]!.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME).toBe(`threadguard-${WEBSOCKET.reply.dir}`);
    // The function behind the routes answers within the integration's time.
    expect(resources[websocketFn]!.Properties.Timeout).toBeLessThan(29);
  });

  it('T32: is not retried after a failed asynchronous invocation, and drops an event queued for over a minute', () => {
    const configs = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventInvokeConfig');
    expect(configs.map((c) => c.Properties)).toEqual([{ FunctionName: { Ref: replyFn }, Qualifier: '$LATEST', MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 }]);
  });

  it('T32: may be invoked by the WebSocket function\'s role only, on exactly its ARN, which that function is told', () => {
    const invokes = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('lambda:')));
    expect(invokes).toEqual([{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [replyFn, 'Arn'] }, roles: [roleOf(websocketFn)] }]);
    // No resource policy: no service (API Gateway included) and no other account may invoke it.
    const permissions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Permission' && JSON.stringify(r.Properties.FunctionName).includes(replyFn));
    expect(permissions).toEqual([]);
    expect(resources[websocketFn]!.Properties.Environment.Variables.WS_REPLY_FUNCTION_NAME).toEqual({ Ref: replyFn });
  });

  it('may post to the WebSocket API\'s connections, and nothing else of API Gateway', () => {
    const manage = statements.filter((s) => s.roles.includes(roleOf(replyFn)) && JSON.stringify(s.Action).includes('execute-api'));
    const api = idOf('WebSocketApi', 'AWS::ApiGatewayV2::Api');
    expect(manage).toEqual([
      {
        Effect: 'Allow',
        Action: 'execute-api:ManageConnections',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':execute-api:eu-west-1:111122223333:', { Ref: api }, '/*/*/@connections/*']] },
        roles: [roleOf(replyFn)],
      },
    ]);
  });

  it('has routes for resume and cancel beside sendMessage and ping, all on the WebSocket function', () => {
    const routes = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route').map((r) => r.Properties.RouteKey as string);
    expect(routes.sort()).toEqual(['$connect', '$default', '$disconnect', 'cancel', 'ping', 'resume', 'sendMessage']);
    const integrations = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Integration');
    for (const i of integrations) expect(JSON.stringify(i.Properties.IntegrationUri)).toContain(websocketFn);
    expect(JSON.stringify(integrations)).not.toContain(replyFn);
  });

  it('passes cdk-nag AwsSolutions checks', () => {
    expect(new AwsSolutionsChecks(app).validateScope(stack).violations.map((v) => v.ruleName)).toEqual([]);
  });
});
