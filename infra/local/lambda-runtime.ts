// Loads function handlers in-process and gives them a Lambda-like context.
import { randomUUID } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';

export const FUNCTIONS_ROOT = fileURLToPath(new URL('../../functions/', import.meta.url));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyHandler = (event: any, context: Context) => Promise<any>;

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
