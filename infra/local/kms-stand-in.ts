// A KMS stand-in on 127.0.0.1 for the local stack and the tests: one symmetric key, speaking KMS's
// JSON protocol (POST /, `X-Amz-Target: TrentService.<Operation>`, `application/x-amz-json-1.1`,
// blobs as base64) for GenerateDataKey, Encrypt and Decrypt, so the functions use the real
// `@aws-sdk/client-kms`. As KMS does, the encryption context is authenticated data: Decrypt with
// another context (or none) is `InvalidCiphertextException`; errors are KMS's `{__type, message}`.
// https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html
// https://docs.aws.amazon.com/kms/latest/developerguide/encrypt_context.html
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeServer, listen } from './loopback-server';
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface KmsStandIn {
  readonly endpoint: string;
  /** The key's ARN: what KMS_KEY_ID names. */
  readonly keyArn: string;
  /** Requests answered, by operation (the benchmark counts KMS calls here). */
  readonly calls: Readonly<Record<string, number>>;
  stop(): Promise<void>;
}

export interface KmsStandInOptions {
  /** The key's 32 bytes of material (kept in DATA_DIR, so wrapped keys survive restarts). */
  readonly keyMaterial: Buffer;
  /** The key id (a UUID); its ARN is what callers name. */
  readonly keyId: string;
  readonly region?: string;
}

class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const VERSION = 1;
const IV = 12;
const TAG = 16;

/** Canonical bytes of an encryption context: sorted pairs, so the same map is the same AAD in any order. */
function aad(context: unknown): Buffer {
  if (context === undefined || context === null) return Buffer.alloc(0);
  if (typeof context !== 'object' || Object.values(context).some((v) => typeof v !== 'string')) throw new KmsError('ValidationException', 'EncryptionContext must map strings to strings');
  return Buffer.from(JSON.stringify(Object.entries(context as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    /* answered below */
  }
  throw new KmsError('SerializationException', 'Request body is not a JSON object');
}

export async function startKmsStandIn({ keyMaterial, keyId, region = 'local' }: KmsStandInOptions): Promise<KmsStandIn> {
  const keyArn = `arn:aws:kms:${region}:000000000000:key/${keyId}`;
  const calls: Record<string, number> = {};
  const names = new Set([keyId, keyArn]);

  const checkKey = (id: unknown) => {
    if (typeof id !== 'string' || id === '') throw new KmsError('ValidationException', 'KeyId is required');
    if (!names.has(id)) throw new KmsError('NotFoundException', `Key '${id}' does not exist`);
  };

  const seal = (plaintext: Buffer, context: unknown): Buffer => {
    const iv = randomBytes(IV);
    const cipher = createCipheriv('aes-256-gcm', keyMaterial, iv);
    cipher.setAAD(aad(context));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const id = Buffer.from(keyId, 'utf8');
    return Buffer.concat([Buffer.from([VERSION, id.length]), id, iv, cipher.getAuthTag(), ct]);
  };

  const open = (blob: Buffer, context: unknown): Buffer => {
    // KMS says nothing about why a ciphertext is refused: wrong context, other key or damage alike.
    const refuse = () => new KmsError('InvalidCiphertextException', '');
    if (blob.length < 2 + IV + TAG || blob[0] !== VERSION) throw refuse();
    const idLength = blob[1]!;
    const id = blob.subarray(2, 2 + idLength).toString('utf8');
    if (id !== keyId) throw refuse();
    const at = 2 + idLength;
    try {
      const decipher = createDecipheriv('aes-256-gcm', keyMaterial, blob.subarray(at, at + IV));
      decipher.setAAD(aad(context));
      decipher.setAuthTag(blob.subarray(at + IV, at + IV + TAG));
      return Buffer.concat([decipher.update(blob.subarray(at + IV + TAG)), decipher.final()]);
    } catch {
      throw refuse();
    }
  };

  const blobOf = (value: unknown, name: string): Buffer => {
    if (typeof value !== 'string' || value === '') throw new KmsError('ValidationException', `${name} is required`);
    return Buffer.from(value, 'base64');
  };

  const operations: Record<string, (input: Record<string, unknown>) => Record<string, unknown>> = {
    GenerateDataKey(input) {
      checkKey(input.KeyId);
      const bytes = input.KeySpec === 'AES_256' ? 32 : input.KeySpec === 'AES_128' ? 16 : Number(input.NumberOfBytes);
      if (!Number.isInteger(bytes) || bytes < 1 || bytes > 1024) throw new KmsError('ValidationException', 'KeySpec or NumberOfBytes is required');
      const plaintext = randomBytes(bytes);
      return { KeyId: keyArn, Plaintext: plaintext.toString('base64'), CiphertextBlob: seal(plaintext, input.EncryptionContext).toString('base64') };
    },
    Encrypt(input) {
      checkKey(input.KeyId);
      const plaintext = blobOf(input.Plaintext, 'Plaintext');
      if (plaintext.length > 4096) throw new KmsError('ValidationException', 'Plaintext must be at most 4096 bytes');
      return { KeyId: keyArn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT', CiphertextBlob: seal(plaintext, input.EncryptionContext).toString('base64') };
    },
    Decrypt(input) {
      if (input.KeyId !== undefined) checkKey(input.KeyId);
      const plaintext = open(blobOf(input.CiphertextBlob, 'CiphertextBlob'), input.EncryptionContext);
      return { KeyId: keyArn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT', Plaintext: plaintext.toString('base64') };
    },
  };

  const server: Server = createServer((req, res) => {
    const answer = (status: number, payload: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': randomBytes(16).toString('hex') });
      res.end(JSON.stringify(payload));
    };
    void (async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith('TrentService.') ? operations[target.slice('TrentService.'.length)] : undefined;
      try {
        if (req.method !== 'POST' || !operation) throw new KmsError('UnknownOperationException', '');
        const input = await body(req);
        const name = target.slice('TrentService.'.length);
        calls[name] = (calls[name] ?? 0) + 1;
        answer(200, operation(input));
      } catch (err) {
        if (err instanceof KmsError) answer(400, { __type: err.type, message: err.message });
        else answer(500, { __type: 'KMSInternalException', message: 'Internal error' });
      }
    })();
  });
  const port = await listen(server, 0);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    keyArn,
    calls,
    stop: () => closeServer(server),
  };
}
