// Verifies an incoming request's AWS Signature Version 4 the way an AWS endpoint does: the
// canonical request is rebuilt from what was received (signed headers only, the body's own hash)
// and signed again with the secret the key id names; the signatures must be equal.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest, SourceData } from '@smithy/types';
import type { Principal } from './principals';

const bytes = (d: SourceData): Uint8Array | string =>
  typeof d === 'string' ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

/** SHA-256 / HMAC-SHA-256 in the shape @smithy/signature-v4 expects. */
export class NodeSha256 {
  readonly #hash;
  constructor(secret?: SourceData) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.#hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }
}

export type SigV4Failure =
  | 'MissingAuthenticationToken'
  | 'IncompleteSignature'
  | 'UnrecognizedClient'
  | 'InvalidSignature'
  | 'SignatureExpired'
  | 'ExpiredToken';

export type Verification = { readonly ok: true; readonly principal: Principal } | { readonly ok: false; readonly failure: SigV4Failure };

/** A request as the server received it. */
export interface ReceivedRequest {
  readonly method: string;
  /** Path and query as sent, e.g. `/` or `/?a=b`. */
  readonly url: string;
  /** From `IncomingMessage.rawHeaders`: repeated headers stay separate. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

export const received = (req: IncomingMessage, body: Buffer): ReceivedRequest => ({
  method: req.method ?? 'GET',
  url: req.url ?? '/',
  rawHeaders: req.rawHeaders,
  body,
});

const AUTH_RE = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const AMZ_DATE_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
/** AWS refuses requests whose x-amz-date is more than 15 minutes from its clock. */
const MAX_SKEW_MS = 15 * 60_000;

function headerMap(raw: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i]!.toLowerCase();
    const prev = m.get(k);
    m.set(k, prev === undefined ? raw[i + 1]! : `${prev},${raw[i + 1]!}`);
  }
  return m;
}

/**
 * @param service - the signing name the endpoint answers to (`dynamodb`, `sts`)
 * @param region - the region the endpoint is in; a credential scoped elsewhere is refused
 * @param find - the principal an access key id names, if any
 */
export async function verifySigV4(
  req: ReceivedRequest,
  opts: { service: string; region: string; now: number; find: (accessKeyId: string) => Principal | undefined },
): Promise<Verification> {
  const headers = headerMap(req.rawHeaders);
  const auth = headers.get('authorization');
  if (auth === undefined) return { ok: false, failure: 'MissingAuthenticationToken' };
  const m = AUTH_RE.exec(auth.trim());
  const date = AMZ_DATE_RE.exec(headers.get('x-amz-date') ?? '');
  if (!m || !date) return { ok: false, failure: 'IncompleteSignature' };
  const [, keyId, scopeDate, scopeRegion, scopeService, signedList, signature] = m as unknown as string[];

  const principal = opts.find(keyId!);
  if (!principal) return { ok: false, failure: 'UnrecognizedClient' };
  if ((headers.get('x-amz-security-token') ?? undefined) !== principal.sessionToken) return { ok: false, failure: 'UnrecognizedClient' };
  if (principal.expiresAt !== undefined && principal.expiresAt <= opts.now) return { ok: false, failure: 'ExpiredToken' };

  const signingDate = new Date(Date.UTC(+date[1]!, +date[2]! - 1, +date[3]!, +date[4]!, +date[5]!, +date[6]!));
  if (Math.abs(opts.now - signingDate.getTime()) > MAX_SKEW_MS) return { ok: false, failure: 'SignatureExpired' };
  if (scopeService !== opts.service || scopeRegion !== opts.region || scopeDate !== date.slice(1, 4).join('')) {
    return { ok: false, failure: 'InvalidSignature' };
  }

  const signed = signedList!.split(';');
  if (!signed.includes('host')) return { ok: false, failure: 'InvalidSignature' };
  // The payload hash is always the body's own: a signed x-amz-content-sha256 must agree with it.
  const bodyHash = createHash('sha256').update(req.body).digest('hex');
  const claimedHash = headers.get('x-amz-content-sha256');
  if (claimedHash !== undefined && signed.includes('x-amz-content-sha256') && claimedHash !== bodyHash) return { ok: false, failure: 'InvalidSignature' };

  const requestHeaders: Record<string, string> = {};
  for (const name of signed) {
    const v = headers.get(name);
    if (v === undefined) return { ok: false, failure: 'InvalidSignature' };
    requestHeaders[name] = v;
  }
  const url = new URL(req.url, 'http://local');
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
  }
  const toSign: HttpRequest = {
    method: req.method,
    protocol: 'http:',
    hostname: requestHeaders.host ?? '',
    path: decodeURIComponent(url.pathname),
    query,
    headers: requestHeaders,
    body: req.body,
  };
  const signer = new SignatureV4({
    service: opts.service,
    region: opts.region,
    credentials: { accessKeyId: principal.accessKeyId, secretAccessKey: principal.secretAccessKey, sessionToken: principal.sessionToken },
    sha256: NodeSha256,
    applyChecksum: false,
  });
  const resigned = await signer.sign(toSign, { signingDate, signableHeaders: new Set(signed) });
  const expected = /Signature=([0-9a-f]{64})$/.exec(String(resigned.headers.authorization))?.[1] ?? '';
  const expectedList = /SignedHeaders=([^,]+),/.exec(String(resigned.headers.authorization))?.[1];
  const same = expectedList === signedList && expected.length === 64 && timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(signature!, 'hex'));
  return same ? { ok: true, principal } : { ok: false, failure: 'InvalidSignature' };
}
