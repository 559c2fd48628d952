// The OpenAPI document covers THE route table exactly, is what the committed files hold, and lints clean.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, coverageGaps } from '../../../infra/openapi/document';
import { ERROR_CODES } from '../../../infra/openapi/operations';
import { CLIENT_TYPES_PATH, OPENAPI_JSON_PATH, renderArtifacts } from '../../../infra/openapi/generate';
import { ROUTES } from '../../../infra/routes';

const run = promisify(execFile);

type Operation = {
  security: Array<Record<string, string[]>>;
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: unknown }> }>;
};
const doc = buildOpenApiDocument() as unknown as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, any>; responses: Record<string, any>; securitySchemes: Record<string, any> };
};
const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })),
);
const routeOf = (key: string) => ROUTES.find((r) => `${r.method} ${r.path}` === key)!;

describe('OpenAPI document', () => {
  it('has one operation per route of infra/routes.ts and no other', () => {
    expect(coverageGaps()).toEqual({ missingOperations: [], orphanOperations: [] });
    expect(operations.map((o) => o.key).sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('asks each route for the credentials its authorizer takes; the webhook token only on webhook routes', () => {
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKey', 'bearerJwt', 'webhookToken']);
    for (const { key, op } of operations) {
      const schemes = op.security.flatMap((s) => Object.keys(s)).sort();
      const auth = routeOf(key).auth;
      if (auth === 'public') expect(schemes, key).toEqual([]);
      else if (auth === 'webhook') expect(schemes, key).toEqual(['webhookToken']);
      else {
        expect(schemes, key).not.toContain('webhookToken');
        expect(schemes, key).toContain('bearerJwt');
      }
    }
  });

  it('documents 401 on every protected route, 413/429/500 everywhere, each error with the error shape and known codes', () => {
    const errorSchema = (r: Operation['responses'][string]) =>
      r.$ref ? doc.components.responses[r.$ref.split('/').pop()!].content['application/json'].schema : r.content!['application/json']!.schema;
    for (const { key, op } of operations) {
      const statuses = Object.keys(op.responses);
      expect(statuses, key).toEqual(expect.arrayContaining(['413', '429', '500']));
      if (routeOf(key).auth !== 'public') expect(statuses, key).toContain('401');
      expect(op.responses['431'], key).toEqual({ $ref: '#/components/responses/HeadersTooLarge' }); // no body: the HTTP front door's
      for (const [status, r] of Object.entries(op.responses)) {
        if (Number(status) < 400 || status === '431') continue;
        const ref = (errorSchema(r) as { $ref: string }).$ref;
        const body = doc.components.schemas[ref.split('/').pop()!];
        expect(body.required, `${key} ${status}`).toEqual(['error']);
        for (const code of body.properties.error.properties.code.enum) expect(Object.keys(ERROR_CODES), `${key} ${status}`).toContain(code);
      }
    }
  });

  it('describes the event-streaming routes as text/event-stream with their event schemas, and the streamed export and the reply cancel as JSON', () => {
    // The reply function streams every route it serves; its cancel answers JSON only.
    const jsonOnly = ['/me/export', '/threads/{threadId}/items/{itemId}/cancel'];
    for (const route of ROUTES.filter((r) => r.streaming)) {
      const ok = doc.paths[route.path]![route.method.toLowerCase()]!.responses['200']!;
      const type = jsonOnly.includes(route.path) ? 'application/json' : 'text/event-stream';
      expect(ok.content?.[type]?.schema, route.path).toHaveProperty('$ref');
    }
  });

  it('is committed as docs/openapi.json, with client/api-types.ts generated from it (run `npm run openapi` when this fails)', async () => {
    const { openapiJson, clientTypes } = await renderArtifacts();
    expect(readFileSync(OPENAPI_JSON_PATH, 'utf8')).toBe(openapiJson);
    expect(readFileSync(CLIENT_TYPES_PATH, 'utf8')).toBe(clientTypes);
  });

  it('passes `redocly lint` (recommended rules) with no errors, offline', async () => {
    const { stdout } = await run('npx', ['redocly', 'lint', OPENAPI_JSON_PATH, '--format=json'], {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    }).catch((err: { stdout: string }) => err);
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { totals: { errors: number }; problems: unknown[] };
    expect(report.problems).toEqual([]);
    expect(report.totals.errors).toBe(0);
  });
});
