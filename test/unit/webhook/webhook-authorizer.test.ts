// The webhook authorizer's decisions: only the exact token passes, the Allow covers only webhook
// routes, and a rotated secret is picked up by re-reading it after a failed compare.
import { describe, expect, it } from 'vitest';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { createWebhookAuthorizer, webhookResource } from '../../../functions/webhook-authorizer/authorizer';
import type { SecretSource } from '../../../functions/shared/adapters/secret-source';

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/POST/webhooks/tasks';

function event(headers: Record<string, string>): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: METHOD_ARN,
    resource: '/webhooks/{source}',
    path: '/webhooks/tasks',
    httpMethod: 'POST',
    headers,
    multiValueHeaders: {},
    pathParameters: { source: 'tasks' },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: { identity: { sourceIp: '203.0.113.9' } } as never,
  };
}

/** A secret whose stored value can change underneath, as after a rotation. */
function rotatingSecret(initial: string) {
  let stored = initial;
  let cached = initial;
  let reads = 0;
  const source: SecretSource = {
    get: async () => cached,
    refresh: async () => {
      reads++;
      cached = stored;
      return cached;
    },
  };
  return { source, rotate: (v: string) => (stored = v), reads: () => reads };
}

describe('webhook authorizer', () => {
  it('allows the exact token, for POST on webhook routes of this stage only', async () => {
    const auth = createWebhookAuthorizer({ secret: rotatingSecret('s3cret-token-value').source });
    const res = await auth(event({ Authorization: 'Bearer s3cret-token-value' }));
    expect(res.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/POST/webhooks/*' },
    ]);
    expect(res.context).toEqual({ authMethod: 'webhook' });
    expect(webhookResource(METHOD_ARN)).not.toContain('/GET/');
  });

  it.each([
    ['no header', {}],
    ['empty bearer', { Authorization: 'Bearer ' }],
    ['a prefix of the token', { Authorization: 'Bearer s3cret-token' }],
    ['the token plus a byte', { Authorization: 'Bearer s3cret-token-valueX' }],
    ['another scheme', { Authorization: 'Basic s3cret-token-value' }],
    ['an API key header', { 'X-API-Key': 's3cret-token-value' }],
    ['an oversized token', { Authorization: `Bearer ${'a'.repeat(10_000)}` }],
  ])('refuses %s with Unauthorized', async (_name, headers) => {
    const auth = createWebhookAuthorizer({ secret: rotatingSecret('s3cret-token-value').source });
    await expect(auth(event(headers as Record<string, string>))).rejects.toThrow(/^Unauthorized$/);
  });

  it('accepts a rotated token after one re-read, and then refuses the old one', async () => {
    const secret = rotatingSecret('old-token-0000');
    const auth = createWebhookAuthorizer({ secret: secret.source });
    secret.rotate('new-token-1111');
    await expect(auth(event({ Authorization: 'Bearer new-token-1111' }))).resolves.toBeDefined();
    expect(secret.reads()).toBe(1);
    await expect(auth(event({ Authorization: 'Bearer old-token-0000' }))).rejects.toThrow('Unauthorized');
  });

  it('answers Unauthorized (not a 500) when the secret cannot be read', async () => {
    const failing: SecretSource = { get: () => Promise.reject(new Error('down')), refresh: () => Promise.reject(new Error('down')) };
    const auth = createWebhookAuthorizer({ secret: failing });
    await expect(auth(event({ Authorization: 'Bearer anything' }))).rejects.toThrow(/^Unauthorized$/);
  });
});
