import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { executionPrincipal } from '../../../infra/local/tenant-isolation/principals';
import { NodeSha256, verifySigV4, type ReceivedRequest } from '../../../infra/local/tenant-isolation/sigv4-verify';

const principal = executionPrincipal({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret', roleArn: 'arn:aws:iam::1:role/fn', policies: [] });
const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);
const body = '{"TableName":"main","Key":{"PK":{"S":"T#a"}}}';

/** A request signed as the SDK signs it, as the server would receive it. */
async function signed(opts: { secret?: string; region?: string; extraHeaders?: Record<string, string>; at?: number } = {}): Promise<ReceivedRequest> {
  const signer = new SignatureV4({ service: 'dynamodb', region: opts.region ?? 'eu-west-1', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: opts.secret ?? 'secret' }, sha256: NodeSha256 });
  const req = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 8123,
      path: '/',
      query: {},
      headers: { host: '127.0.0.1:8123', 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem', ...opts.extraHeaders },
      body,
    },
    { signingDate: new Date(opts.at ?? NOW) },
  );
  return { method: 'POST', url: '/', rawHeaders: Object.entries(req.headers).flat(), body: Buffer.from(body) };
}

const verify = (req: ReceivedRequest, now = NOW) =>
  verifySigV4(req, { service: 'dynamodb', region: 'eu-west-1', now, find: (k) => (k === principal.accessKeyId ? principal : undefined) }).then((v) => (v.ok ? 'ok' : v.failure));

const withHeader = (req: ReceivedRequest, name: string, value: string): ReceivedRequest => {
  const raw = [...req.rawHeaders];
  const i = raw.findIndex((h, n) => n % 2 === 0 && h.toLowerCase() === name);
  if (i >= 0) raw[i + 1] = value;
  else raw.push(name, value);
  return { ...req, rawHeaders: raw };
};

const withKeyId = (req: ReceivedRequest, keyId: string): ReceivedRequest => {
  const auth = req.rawHeaders[req.rawHeaders.indexOf('authorization') + 1]!;
  return withHeader(req, 'authorization', auth.replace('AKIAEXAMPLE', keyId));
};

describe('verifySigV4', () => {
  it('accepts a request signed with the right secret', async () => {
    expect(await verify(await signed())).toBe('ok');
  });

  it.each([
    ['a wrong secret', async () => signed({ secret: 'other' }), 'InvalidSignature'],
    ['a body changed after signing', async () => ({ ...(await signed()), body: Buffer.from(body.replace('T#a', 'T#b')) }), 'InvalidSignature'],
    ['a signed header changed after signing', async () => withHeader(await signed(), 'x-amz-target', 'DynamoDB_20120810.DeleteItem'), 'InvalidSignature'],
    ['a credential scoped to another region', async () => signed({ region: 'us-east-1' }), 'InvalidSignature'],
    ['a signed x-amz-content-sha256 that is not the body\'s', async () => signed({ extraHeaders: { 'x-amz-content-sha256': '0'.repeat(64) } }), 'InvalidSignature'],
    ['a request time 16 minutes off', async () => signed({ at: NOW - 16 * 60_000 }), 'SignatureExpired'],
    ['an unknown access key', async () => withKeyId(await signed(), 'AKIAOTHER'), 'UnrecognizedClient'],
    ['a session token on static credentials', async () => withHeader(await signed(), 'x-amz-security-token', 'x'), 'UnrecognizedClient'],
    ['no Authorization header', async () => ({ ...(await signed()), rawHeaders: ['host', '127.0.0.1:8123'] }), 'MissingAuthenticationToken'],
    ['a malformed Authorization header', async () => withHeader(await signed(), 'authorization', 'AWS4-HMAC-SHA256 garbage'), 'IncompleteSignature'],
  ])('refuses %s', async (_, build, failure) => {
    expect(await verify(await build())).toBe(failure);
  });

  it('accepts a signed x-amz-content-sha256 that is the body\'s hash', async () => {
    const { createHash } = await import('node:crypto');
    expect(await verify(await signed({ extraHeaders: { 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex') } }))).toBe('ok');
  });
});
