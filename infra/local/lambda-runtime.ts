// Loads function handlers in-process and gives them a Lambda-like context.
import { randomUUID } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { ServerResponse } from 'node:http';
import type { Context } from 'aws-lambda';

export const FUNCTIONS_ROOT = fileURLToPath(new URL('../../functions/', import.meta.url));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyHandler = (event: any, context: Context) => Promise<any>;

const STREAMING = Symbol.for('threadguard.local.streamifyResponse');

interface Prelude {
  statusCode?: number;
  headers?: Record<string, string>;
}

/** Writes the prelude as the HTTP status line and headers, then each chunk as it comes (no buffering). */
export class LocalResponseStream extends Writable {
  prelude: Prelude | null = null;

  constructor(
    private readonly res: ServerResponse,
    private readonly extraHeaders: Record<string, string>,
  ) {
    super();
  }

  get opened(): boolean {
    return this.res.headersSent;
  }

  private open(): void {
    if (this.res.headersSent) return;
    this.res.writeHead(this.prelude?.statusCode ?? 200, { ...(this.prelude?.headers ?? {}), ...this.extraHeaders });
    this.res.flushHeaders();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.open();
    this.res.write(chunk, () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.open();
    this.res.end(() => cb());
  }
}

// The Lambda runtime's streaming globals, as the nodejs runtime provides them. Other libraries may
// create `awslambda` already (for other members), so fill in only what is missing.
const runtimeGlobal = ((globalThis as Record<string, unknown>).awslambda ??= {}) as Record<string, unknown>;
runtimeGlobal.streamifyResponse ??= (fn: AnyHandler) => {
  (fn as unknown as Record<symbol, boolean>)[STREAMING] = true;
  return fn;
};
runtimeGlobal.HttpResponseStream ??= {
  from(stream: LocalResponseStream, prelude: Prelude) {
    stream.prelude = prelude;
    return stream;
  },
};

export const isStreamingHandler = (h: AnyHandler): boolean => (h as unknown as Record<symbol, boolean>)[STREAMING] === true;

const cache = new Map<string, Promise<AnyHandler>>();

/** Imports functions/<dir>/handler.ts once (its module scope is the cold start). */
export function loadHandler(dir: string, exportName = 'handler'): Promise<AnyHandler> {
  const id = `${dir}#${exportName}`;
  let p = cache.get(id);
  if (!p) {
    p = import(pathToFileURL(join(FUNCTIONS_ROOT, dir, 'handler.ts')).href).then((m) => {
      const h = (m as Record<string, unknown>)[exportName];
      if (typeof h !== 'function') throw new Error(`functions/${dir}/handler.ts does not export ${exportName}`);
      return h as AnyHandler;
    });
    cache.set(id, p);
  }
  return p;
}

export function lambdaContext(functionName: string, timeoutMs = 29_000): Context {
  const deadline = Date.now() + timeoutMs;
  const awsRequestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
