// Long replies deployed: the REST API is regional (a stream's idle timeout is 5 minutes there, 30 s
// on an edge-optimized endpoint), and the reply routes stream for `replyTimeoutSeconds` (default
// 300): their integration timeout and their functions' Lambda timeout are that setting, every other
// function keeps its own, and a value outside 5..900 stops the synth naming the key.
import { describe, expect, it } from 'vitest';
import { REPLY_TIMEOUT_SECONDS } from '../../infra/reply-timeout';
import { BUFFERED_TIMEOUT_SECONDS, EXPORT_TIMEOUT_SECONDS } from '../../infra/routes';
import { synth } from '../helpers/synth';

type Template = ReturnType<typeof synth>['template'];
type Res = { Properties: Record<string, any> };

/** Each of our functions' Lambda timeout, by folder (from its Powertools service name), and its logical id. */
function functionsByDir(template: Template): Map<string, { id: string; timeout: number }> {
  const out = new Map<string, { id: string; timeout: number }>();
  for (const [id, f] of Object.entries(template.findResources('AWS::Lambda::Function')) as Array<[string, Res]>) {
    const service = f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME as string | undefined;
    if (service?.startsWith('threadguard-')) out.set(service.replace(/^threadguard-/, ''), { id, timeout: f.Properties.Timeout as number });
  }
  return out;
}

/** The integrations (method, transfer mode, timeout) whose URI invokes the function with this logical id. */
function integrationsOf(template: Template, functionId: string) {
  return (Object.values(template.findResources('AWS::ApiGateway::Method')) as Res[])
    .filter((m) => JSON.stringify(m.Properties.Integration?.Uri ?? '').includes(`"${functionId}"`))
    .map((m) => ({
      method: m.Properties.HttpMethod as string,
      mode: m.Properties.Integration.ResponseTransferMode as string | undefined,
      timeoutMs: (m.Properties.Integration.TimeoutInMillis as number | undefined) ?? 29_000,
    }));
}

describe('long replies deployed', () => {
  it('makes the REST API regional', () => {
    const { template } = synth();
    const apis = Object.values(template.findResources('AWS::ApiGateway::RestApi')) as Res[];
    expect(apis).toHaveLength(1);
    expect(apis[0]!.Properties.EndpointConfiguration).toEqual({ Types: ['REGIONAL'] });
  });

  it.each([
    ['by default', {}, REPLY_TIMEOUT_SECONDS.default],
    ['from the context', { 'threadguard:replyTimeoutSeconds': 120 }, 120],
    ['from `-c threadguard:replyTimeoutSeconds=900`', { 'threadguard:replyTimeoutSeconds': '900' }, 900],
  ])('streams POST .../messages and POST /chatkit for replyTimeoutSeconds %s, their functions timing out with them', (_how, context, seconds) => {
    const { template } = synth({ context });
    const fns = functionsByDir(template);
    // The reply function also serves a reply's resume (GET) and cancel (POST), streamed like the reply.
    const streamed = (method: string) => ({ method, mode: 'STREAM', timeoutMs: seconds * 1000 });
    const expected = { messages: [streamed('GET'), streamed('POST'), streamed('POST')], chatkit: [streamed('POST')] };
    for (const [dir, integrations] of Object.entries(expected)) {
      const fn = fns.get(dir)!;
      expect(integrationsOf(template, fn.id), dir).toEqual(integrations);
      expect(fn.timeout, dir).toBe(seconds);
    }
    // Every other function keeps its timeout: the export its 900 s, the buffered ones 28 s.
    expect(fns.get('export')!.timeout).toBe(EXPORT_TIMEOUT_SECONDS);
    expect(integrationsOf(template, fns.get('export')!.id)).toEqual([{ method: 'GET', mode: 'STREAM', timeoutMs: EXPORT_TIMEOUT_SECONDS * 1000 }]);
    // The WebSocket reply function runs its replies behind no route (invoked asynchronously): the same limit.
    expect(fns.get('ws-reply')!.timeout).toBe(seconds);
    const others = [...fns].filter(([dir]) => !['messages', 'chatkit', 'export', 'ws-reply'].includes(dir));
    expect(others.length).toBeGreaterThan(10);
    for (const [dir, fn] of others) expect(fn.timeout, dir).toBe(BUFFERED_TIMEOUT_SECONDS);
  });

  it.each([0, 4, 901, -5, 1.5, 'abc', '12abc', '5 minutes', true])('refuses replyTimeoutSeconds=%j, naming the key and the range', (bad) => {
    expect(() => synth({ context: { 'threadguard:replyTimeoutSeconds': bad } })).toThrow(
      /threadguard:replyTimeoutSeconds: must be a whole number of seconds from 5 to 900, got .* \(set it in cdk.json or with -c threadguard:replyTimeoutSeconds=\.\.\.\)/,
    );
  });
});
