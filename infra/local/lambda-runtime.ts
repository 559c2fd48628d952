// Loads function handlers in-process and gives them a Lambda-like context, each function with only
// its own environment (as each Lambda function has its own), so a variable a function forgot to
// declare in routes.ts is missing here exactly as it would be deployed.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { ServerResponse } from 'node:http';
import type { Context } from 'aws-lambda';

export const FUNCTIONS_ROOT = fileURLToPath(new URL('../../functions/', import.meta.url));

export type AnyHandler = (event: any, context: Context) => Promise<any>;

const STREAMING = Symbol.for('threadguard.local.streamifyResponse');

interface Prelude {
  statusCode?: number;
  headers?: Record<string, string>;
}

/**
 * Writes the prelude as the HTTP status line and headers, then each chunk as it comes (no buffering).
 * A client that goes away before the end breaks the stream, as Lambda's Node.js runtime destroys its
 * response stream when the Runtime API aborts it (aws-lambda-nodejs-runtime-interface-client,
 * src/stream/response-stream.ts): the function's writes fail and its body is returned early.
 */
export class LocalResponseStream extends Writable {
  prelude: Prelude | null = null;

  constructor(
    private readonly res: ServerResponse,
    private readonly extraHeaders: Record<string, string>,
  ) {
    super();
    res.once('close', () => {
      if (!res.writableFinished) this.destroy(new Error('the client closed the connection'));
    });
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

interface FunctionScope {
  readonly name: string;
  readonly env: Record<string, string>;
}

const scope = new AsyncLocalStorage<FunctionScope>();

/**
 * Makes `process.env` read, inside a function's cold start and invocations, that function's own
 * environment only; outside them (the local stack itself) it is the real one. Installed once.
 */
function isolateEnvironment(): void {
  if ((process.env as unknown as Record<symbol, boolean>)[ISOLATED]) return;
  const real = process.env;
  const target = (): Record<string | symbol, unknown> => (scope.getStore()?.env ?? real) as Record<string | symbol, unknown>;
  process.env = new Proxy(real, {
    get: (_, key) => (key === ISOLATED ? true : target()[key]),
    set: (_, key, value) => ((target()[key] = String(value)), true),
    has: (_, key) => key in target(),
    deleteProperty: (_, key) => delete target()[key],
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_, key) => {
      const d = Reflect.getOwnPropertyDescriptor(target(), key);
      return d && { ...d, configurable: true };
    },
  });
}
const ISOLATED = Symbol.for('threadguard.local.isolatedEnv');

/**
 * Deployed, each function writes to its own log group from its own process. Here they share one
 * process, so shared module state (the Powertools logger, created once with the first function's
 * service name; its Lambda context, replaced by whichever invocation ran last) would label a line
 * with another function's name. A line written inside a function's scope is labelled with that
 * function: JSON log lines get its `function_name` and `service`, other lines a `[name]` prefix.
 * Metric lines (embedded metric format, `_aws`) are left alone: their `service` is a dimension.
 */
function labelLogLines(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const marked = stream as unknown as Record<symbol, boolean>;
    if (marked[LABELLED]) continue;
    marked[LABELLED] = true;
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const fn = scope.getStore();
      return write(fn && typeof chunk === 'string' ? labelled(chunk, fn) : chunk, ...rest);
    }) as typeof stream.write;
  }
}
const LABELLED = Symbol.for('threadguard.local.labelledLogs');

function labelled(text: string, fn: FunctionScope): string {
  return text
    .split('\n')
    .map((line) => {
      if (line === '') return line;
      try {
        const entry = JSON.parse(line) as unknown;
        if (entry && typeof entry === 'object' && !Array.isArray(entry)) {
          if ('_aws' in entry) return line;
          return JSON.stringify({ ...entry, ...('service' in entry ? { service: fn.env.POWERTOOLS_SERVICE_NAME } : {}), function_name: fn.name });
        }
      } catch {
        /* not JSON */
      }
      return `[${fn.name}] ${line}`;
    })
    .join('\n');
}

export interface LocalFunction {
  /** The Lambda function name it runs as locally, e.g. `threads-local`. */
  readonly name: string;
  /** Imports functions/<dir>/handler.ts once, inside the function's environment (its cold start). */
  load(): Promise<AnyHandler>;
  /** Calls the handler with `args` and a fresh context, inside the function's environment. */
  invoke(...args: unknown[]): Promise<unknown>;
}

/** One function of the local stack: its folder under functions/ and exactly its environment. */
export function localFunction(dir: string, env: Record<string, string>, timeoutSeconds = 29): LocalFunction {
  isolateEnvironment();
  labelLogLines();
  const name = `${dir}-local`;
  const fnScope: FunctionScope = { name, env: { ...env, AWS_LAMBDA_FUNCTION_NAME: name } };
  let loaded: Promise<AnyHandler> | null = null;
  const load = () =>
    (loaded ??= scope.run(fnScope, () =>
      import(pathToFileURL(join(FUNCTIONS_ROOT, dir, 'handler.ts')).href).then((m) => {
        const h = (m as Record<string, unknown>).handler;
        if (typeof h !== 'function') throw new Error(`functions/${dir}/handler.ts does not export handler`);
        return h as AnyHandler;
      }),
    ));
  return {
    name,
    load,
    invoke: (...args) =>
      scope.run(fnScope, async () => {
        const handler = await load();
        return (handler as (...a: unknown[]) => Promise<unknown>)(...args, lambdaContext(name, timeoutSeconds * 1000));
      }),
  };
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
