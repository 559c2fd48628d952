// The deployed CORS preflight (THREATS T12): an API Gateway MOCK integration whose VTL response
// template sets the allow headers. Asserted on the template text: the allow headers are set only
// inside one `#if` that compares the request's origin with exactly the configured origins, the
// echoed value is that origin and never `*`, and the headers match the local gateway's copy.
import { describe, expect, it } from 'vitest';
import { preflightHeaders } from '../../functions/shared/core/cors';
import { SECURITY_HEADERS } from '../../functions/shared/core/security-headers';
import { ROUTES } from '../../infra/routes';
import { synth } from '../helpers/synth';

const CONFIGURED = ['https://app.example.com', 'https://admin.example.com']; // test/helpers/synth.ts

interface Preflight {
  readonly integration: Record<string, any>;
  readonly methodResponses: Array<Record<string, any>>;
  readonly vtl: string;
}

function preflights(template: ReturnType<typeof synth>['template']): Preflight[] {
  return Object.values(template.findResources('AWS::ApiGateway::Method'))
    .map((m) => (m as { Properties: Record<string, any> }).Properties)
    .filter((p) => p.HttpMethod === 'OPTIONS')
    .map((p) => ({
      integration: p.Integration,
      methodResponses: p.MethodResponses,
      vtl: p.Integration.IntegrationResponses[0].ResponseTemplates['application/json'] as string,
    }));
}

/**
 * Splits the VTL into the lines before, inside and after the one `#if` block that sets the allow
 * headers, and reads that block's condition as the list of origins it compares with.
 */
function parse(vtl: string) {
  const lines = vtl.split('\n').map((l) => l.trim());
  const start = lines.findIndex((l) => /^#if\(.*\$origin ==/.test(l) && !l.endsWith('#end'));
  const end = lines.indexOf('#end', start);
  expect(start, vtl).toBeGreaterThanOrEqual(0);
  expect(end, vtl).toBeGreaterThan(start);
  const condition = /^#if\((.*)\)$/.exec(lines[start]!)![1]!;
  // Nothing but `$origin == "<literal>"` terms joined by `||`: no other test can let an origin in.
  const terms = condition.split(' || ');
  for (const t of terms) expect(t, condition).toMatch(/^\$origin == "[^"*$#\\]+"$/);
  const origins = terms.map((t) => /"(.*)"/.exec(t)![1]!);
  const setHeader = /^#set\(\$context\.responseOverride\.header\.([\w-]+) = (.+)\)$/;
  const inside = lines.slice(start + 1, end);
  const headers: Record<string, string> = {};
  for (const line of inside) {
    const m = setHeader.exec(line);
    expect(m, `unexpected line in the allow block: ${line}`).not.toBeNull();
    headers[m![1]!] = m![2]!;
  }
  return { before: lines.slice(0, start), after: lines.slice(end + 1), origins, headers };
}

describe('CORS preflight (deployed MOCK integration)', () => {
  const { template } = synth();
  const all = preflights(template);

  it('answers OPTIONS on every resource of the route table with one and the same template', () => {
    expect(all).toHaveLength(new Set(ROUTES.map((r) => r.path)).size);
    expect(new Set(all.map((p) => p.vtl)).size).toBe(1);
  });

  it('is a MOCK 204 whose static headers are Vary: Origin and the security headers (no fixed Allow-Origin)', () => {
    const expected = Object.fromEntries(
      Object.entries({ Vary: 'Origin', ...SECURITY_HEADERS }).map(([k, v]) => [`method.response.header.${k}`, `'${v}'`]),
    );
    for (const p of all) {
      expect(p.integration.Type).toBe('MOCK');
      expect(p.integration.PassthroughBehavior).toBe('NEVER');
      expect(p.integration.IntegrationResponses).toHaveLength(1);
      expect(p.integration.IntegrationResponses[0].StatusCode).toBe('204');
      expect(p.integration.IntegrationResponses[0].ResponseParameters).toEqual(expected);
      expect(p.methodResponses).toEqual([
        { StatusCode: '204', ResponseParameters: Object.fromEntries(Object.keys(expected).map((k) => [k, true])) },
      ]);
    }
  });

  it('allows exactly the configured origins, compared verbatim, and never *', () => {
    const { origins } = parse(all[0]!.vtl);
    expect([...origins].sort()).toEqual([...CONFIGURED].sort());
    expect(all[0]!.vtl).not.toMatch(/\*/);
  });

  it('echoes only the matched origin, and sets no allow header outside the allow-list block', () => {
    const { before, after, headers } = parse(all[0]!.vtl);
    // Inside the block the origin is the request's own value, which the condition pinned to a listed one.
    expect(headers['Access-Control-Allow-Origin']).toBe('$origin');
    // An unlisted origin skips the block: before and after it, nothing sets a response header.
    for (const line of [...before, ...after]) expect(line).not.toMatch(/responseOverride|Access-Control/);
    // Before the block only the Origin header is read (either spelling), into $origin.
    expect(before).toEqual([
      '#set($origin = $input.params().header.get("Origin"))',
      '#if("$!origin" == "")#set($origin = $input.params().header.get("origin"))#end',
    ]);
    expect(after).toEqual([]);
  });

  it('sets the same allow headers as the local gateway (functions/shared/core/cors.ts)', () => {
    const { headers } = parse(all[0]!.vtl);
    const { Vary: _vary, ...local } = preflightHeaders(CONFIGURED[0], CONFIGURED);
    const deployed = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v === '$origin' ? CONFIGURED[0] : JSON.parse(v)]));
    expect(deployed).toEqual(local);
    // And the local copy, too, gives an unlisted origin nothing but Vary.
    expect(preflightHeaders('https://evil.example.net', CONFIGURED)).toEqual({ Vary: 'Origin' });
  });

  it('follows the configured list', () => {
    const { template: t } = synth({ context: { 'threadguard:corsOrigins': 'https://only.example.org' } });
    expect(parse(preflights(t)[0]!.vtl).origins).toEqual(['https://only.example.org']);
  });

  it.each([
    ['a wildcard', '*'],
    ['a wildcard subdomain', 'https://*.example.com'],
    ['a quote that would end the VTL literal', 'https://a.example.com" || true || "'],
    ['a path', 'https://app.example.com/app'],
    ['a trailing slash', 'https://app.example.com/'],
    ['another scheme', 'ftp://app.example.com'],
  ])('refuses %s in the configured origins', (_name, origin) => {
    expect(() => synth({ context: { 'threadguard:corsOrigins': `https://app.example.com,${origin}` } })).toThrow(/corsOrigins/);
  });
});
