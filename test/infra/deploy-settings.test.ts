// What a first `cdk deploy` on a fresh account needs: stages that wait for the account's API
// Gateway logging role, and settings checked at synth so a deployment never goes out with an
// example issuer, a missing audience or a value CloudFormation or the functions would reject.
import { describe, expect, it } from 'vitest';
import { DEADLINE_MARGIN_MS } from '../../functions/shared/lambda/http-handler';
import { LOG_RETENTION_DAYS } from '../../infra/config';
import { REPLY_TIMEOUT_SECONDS } from '../../infra/reply-timeout';
import { BUFFERED_TIMEOUT_SECONDS, EXPORT_TIMEOUT_SECONDS, FUNCTIONS, ROUTES, WEBSOCKET } from '../../infra/routes';
import { synth } from '../helpers/synth';

type Res = { DependsOn?: string[]; Properties: Record<string, unknown> };

describe('stages and the API Gateway CloudWatch role', () => {
  const { template } = synth();
  const [accountId] = Object.keys(template.findResources('AWS::ApiGateway::Account'));

  it('creates both stages, which write access logs, after the AWS::ApiGateway::Account', () => {
    expect(accountId).toBeDefined();
    const restStages = Object.values(template.findResources('AWS::ApiGateway::Stage')) as Res[];
    const wsStages = Object.values(template.findResources('AWS::ApiGatewayV2::Stage')) as Res[];
    expect(restStages).toHaveLength(1);
    expect(wsStages).toHaveLength(1);
    for (const stage of [...restStages, ...wsStages]) {
      expect(stage.Properties.AccessLogSetting ?? stage.Properties.AccessLogSettings).toBeDefined();
      expect(stage.DependsOn ?? []).toContain(accountId);
    }
  });
});

describe('function timeouts', () => {
  const { template } = synth();

  it('times every buffered function out below API Gateway\'s 29 s integration timeout, 3 s after its own 503 deadline', () => {
    const fns = Object.entries(template.findResources('AWS::Lambda::Function')) as Array<[string, Res]>;
    const streaming = new Set<string>(ROUTES.filter((r) => r.streaming).map((r) => FUNCTIONS[r.fn].dir));
    const ours = fns.filter(([, f]) => typeof f.Properties.Handler === 'string' && f.Properties.Handler === 'index.handler');
    expect(ours.length).toBeGreaterThan(10);
    for (const [id, f] of ours) {
      const env = (f.Properties.Environment as { Variables: Record<string, string> }).Variables;
      const dir = env.POWERTOOLS_SERVICE_NAME!.replace(/^threadguard-/, '');
      const timeout = f.Properties.Timeout as number;
      if (dir === FUNCTIONS.export.dir) expect(timeout, id).toBe(EXPORT_TIMEOUT_SECONDS);
      // Invoked asynchronously, behind no route: a WebSocket reply runs for the reply timeout too.
      else if (dir === WEBSOCKET.reply.dir) expect(timeout, id).toBe(REPLY_TIMEOUT_SECONDS.default);
      else if (streaming.has(dir)) expect(timeout, id).toBe(REPLY_TIMEOUT_SECONDS.default);
      else {
        expect(timeout, id).toBe(BUFFERED_TIMEOUT_SECONDS);
        expect(timeout * 1000 - DEADLINE_MARGIN_MS, id).toBe(25_000);
        expect(timeout, id).toBeLessThan(29);
      }
    }
  });
});

describe('the streamed account export', () => {
  const { template } = synth();

  it('lets GET /me/export stream for 15 minutes: its integration timeout is the function\'s (REST streaming allows up to 900 s)', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as Res[];
    const streamed = methods.filter((m) => (m.Properties.Integration as { ResponseTransferMode?: string } | undefined)?.ResponseTransferMode === 'STREAM');
    const timeouts = streamed.map((m) => (m.Properties.Integration as { TimeoutInMillis?: number }).TimeoutInMillis ?? 29_000).sort((a, b) => a - b);
    // The four reply-function routes (a post, ChatKit, a resume, a cancel) share the reply timeout.
    expect(timeouts).toEqual([...Array(4).fill(REPLY_TIMEOUT_SECONDS.default * 1000), EXPORT_TIMEOUT_SECONDS * 1000]);
  });
});

describe('thread retention', () => {
  it('passes threadRetentionDays to the functions that write threads and feeds the TTL service\'s thread removals to the thread-expiry function', () => {
    const { template } = synth({ context: { 'threadguard:threadRetentionDays': 30 } });
    const fns = Object.values(template.findResources('AWS::Lambda::Function')) as Res[];
    const withRetention = fns
      .map((f) => (f.Properties.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {})
      .filter((v) => v.THREAD_RETENTION_DAYS === '30')
      .map((v) => v.POWERTOOLS_SERVICE_NAME);
    expect(withRetention.sort()).toEqual(['threadguard-chatkit', 'threadguard-me', 'threadguard-messages', 'threadguard-threads', 'threadguard-ws-reply']);
    const patterns = (Object.values(template.findResources('AWS::Lambda::EventSourceMapping')) as Res[]).map((m) => JSON.parse((m.Properties.FilterCriteria as { Filters: { Pattern: string }[] }).Filters[0]!.Pattern));
    expect(patterns).toContainEqual({
      eventName: ['REMOVE'],
      userIdentity: { type: ['Service'], principalId: ['dynamodb.amazonaws.com'] },
      dynamodb: { Keys: { SK: { S: [{ prefix: 'THREAD#' }] } } },
    });
    expect(() => synth({ context: { 'threadguard:threadRetentionDays': 0 } })).toThrow(/threadRetentionDays/);
    // A batch that keeps failing is split on retry and pages someone long before the stream's 24 hours run out.
    const mapping = (Object.values(template.findResources('AWS::Lambda::EventSourceMapping')) as Res[]).find((m) => JSON.stringify(m.Properties.FilterCriteria).includes('THREAD#'))!;
    expect(mapping.Properties).toMatchObject({ BisectBatchOnFunctionError: true, MaximumRetryAttempts: -1 });
    const ages = (Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Res[]).filter((a) => a.Properties.MetricName === 'IteratorAge');
    expect(ages.map((a) => [a.Properties.Threshold, a.Properties.Statistic])).toEqual([[3_600_000, 'Maximum']]);
  });
});

describe('deployment settings', () => {
  const withContext = (context: Record<string, unknown>) => () => synth({ context });

  it('refuses to synth without an issuer or audience, naming the setting', () => {
    expect(withContext({ 'threadguard:jwtIssuer': '' })).toThrow(/threadguard:jwtIssuer: required/);
    expect(withContext({ 'threadguard:jwtAudience': '' })).toThrow(/threadguard:jwtAudience: required/);
    expect(withContext({ 'threadguard:jwtAudience': ' , ' })).toThrow(/threadguard:jwtAudience: required/);
  });

  it.each([
    'https://issuer.example.com',
    'https://issuer.example.com/',
    'https://your-issuer/',
    'https://your-tenant.auth0.com/',
    'https://login.example.org/',
    'https://idp.test/',
  ])('refuses the example issuer %s', (issuer) => {
    expect(withContext({ 'threadguard:jwtIssuer': issuer })).toThrow(/threadguard:jwtIssuer: .* is an example value/);
  });

  it('refuses an issuer that is not an https URL, and an example audience', () => {
    expect(withContext({ 'threadguard:jwtIssuer': 'tenant.auth0.com' })).toThrow(/threadguard:jwtIssuer: "tenant.auth0.com" is not a URL/);
    expect(withContext({ 'threadguard:jwtIssuer': 'http://tenant.auth0.com/' })).toThrow(/must be an https URL/);
    expect(withContext({ 'threadguard:jwtAudience': 'your-aud' })).toThrow(/threadguard:jwtAudience: "your-aud" is an example value/);
    expect(withContext({ 'threadguard:jwksUri': 'http://tenant.auth0.com/jwks' })).toThrow(/threadguard:jwksUri: .* must be an https URL/);
  });

  it.each(['rateLimitPerMinute', 'respondLimitPerMinute', 'stageRateLimit', 'stageBurstLimit', 'auditShards', 'jwksMaxAgeSeconds', 'jwtMaxLifetimeSeconds', 'wsMaxConnectionsPerUser'])(
    'accepts only a positive whole number for %s',
    (key) => {
      for (const bad of [0, -5, 1.5, 'abc', '12abc', 'NaN', true]) {
        expect(withContext({ [`threadguard:${key}`]: bad }), `${key}=${String(bad)}`).toThrow(new RegExp(`threadguard:${key}: must be a positive whole number`));
      }
      expect(withContext({ [`threadguard:${key}`]: '250' })).not.toThrow();
    },
  );

  it('accepts apiKeyMaxDays from 1 to 365 and hands it to the api-keys function only', () => {
    for (const bad of [0, 366, 1.5, 'abc']) expect(withContext({ 'threadguard:apiKeyMaxDays': bad }), String(bad)).toThrow(/threadguard:apiKeyMaxDays/);
    const { template } = synth({ context: { 'threadguard:apiKeyMaxDays': '90' } });
    const fns = Object.entries(template.findResources('AWS::Lambda::Function') as Record<string, { Properties: { Environment?: { Variables?: Record<string, unknown> } } }>);
    const withSetting = fns.filter(([, f]) => f.Properties.Environment?.Variables?.API_KEY_MAX_DAYS !== undefined);
    expect(withSetting.map(([id]) => id.replace(/Function.*/, ''))).toEqual(['ApiKeys']);
    expect(withSetting[0]![1].Properties.Environment!.Variables!.API_KEY_MAX_DAYS).toBe('90');
  });

  it('accepts only the log retention periods CloudWatch Logs allows', () => {
    for (const bad of [2, 31, 0, 9999, 'month']) {
      expect(withContext({ 'threadguard:logRetentionDays': bad }), String(bad)).toThrow(/threadguard:logRetentionDays/);
    }
    const { template } = synth({ context: { 'threadguard:logRetentionDays': '14' } });
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup')) as Res[];
    for (const g of groups) expect(g.Properties.RetentionInDays).toBe(14);
    expect(LOG_RETENTION_DAYS).toContain(3653);
  });

  it('accepts only true or false for deletionProtection', () => {
    expect(withContext({ 'threadguard:deletionProtection': 'yes' })).toThrow(/threadguard:deletionProtection: must be true or false/);
    expect(withContext({ 'threadguard:deletionProtection': 'false' })).not.toThrow();
  });
});
