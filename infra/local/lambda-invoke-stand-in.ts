// A stand-in for the Lambda Invoke API on 127.0.0.1, for the real `@aws-sdk/client-lambda` client
// (pointed here by AWS_ENDPOINT_URL_LAMBDA): `POST /2015-03-31/functions/{FunctionName}/invocations`
// runs the named local function in this process. `X-Amz-Invocation-Type: Event` answers 202 with an
// empty body at once and runs the function afterwards, as Lambda queues an asynchronous event;
// `RequestResponse` (the default) waits and answers 200 with the function's result, or with
// `X-Amz-Function-Error: Unhandled` and the error's `{errorType, errorMessage}`; `DryRun` is 204.
// An unknown function is 404 `ResourceNotFoundException`, Lambda's restJson error shape.
// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
// Requests are not signature-checked: IAM is enforced locally for DynamoDB only; the deployed grant
// (the WebSocket role may invoke the reply function only) is asserted on the template.
import { randomUUID } from 'node:crypto';
import { closeServer, listen } from './loopback-server';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { LocalFunction } from './lambda-runtime';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const ACCOUNT = '000000000000';

export interface LambdaInvocation {
  readonly functionName: string;
  readonly invocationType: 'Event' | 'RequestResponse' | 'DryRun';
  readonly status: number;
}

export interface LambdaStandIn {
  /** The endpoint for AWS_ENDPOINT_URL_LAMBDA. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

export interface LambdaStandInOptions {
  /** The functions it may run, by their local names (`LocalFunction.name`). */
  readonly functions: readonly LocalFunction[];
  readonly region: string;
  /** Each invocation as it is answered (the stack logs it, as Lambda's own log records each invoke). */
  readonly onInvoke?: (invocation: LambdaInvocation) => void;
  /** An asynchronous invocation that failed: nobody waits for it, so only the log tells (no retry). */
  readonly onAsyncError?: (functionName: string, err: unknown) => void;
}

/** A function named by its name, its ARN, or a partial ARN (`{account}:function:{name}`), unqualified. */
function nameOf(raw: string, region: string): string {
  const name = decodeURIComponent(raw);
  for (const prefix of [`arn:aws:lambda:${region}:${ACCOUNT}:function:`, `${ACCOUNT}:function:`]) if (name.startsWith(prefix)) return name.slice(prefix.length);
  return name;
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'x-amzn-errortype': type, 'x-amzn-RequestId': randomUUID() });
  res.end(JSON.stringify({ Type: 'User', Message: message }));
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startLambdaStandIn(opts: LambdaStandInOptions): Promise<LambdaStandIn> {
  const byName = new Map(opts.functions.map((f) => [f.name, f]));

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const m = INVOKE_PATH.exec(path);
    const body = await bodyOf(req);
    if (req.method !== 'POST' || !m) return sendError(res, 404, 'UnknownOperationException', 'Unknown operation');
    const functionName = nameOf(m[1]!, opts.region);
    const fn = byName.get(functionName);
    const arn = `arn:aws:lambda:${opts.region}:${ACCOUNT}:function:${functionName}`;
    if (!fn) return sendError(res, 404, 'ResourceNotFoundException', `Function not found: ${arn}`);
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (type !== 'Event' && type !== 'RequestResponse' && type !== 'DryRun') {
      return sendError(res, 400, 'InvalidParameterValueException', `Invalid InvocationType: ${type}`);
    }
    let payload: unknown;
    try {
      payload = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      return sendError(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
    }
    const requestId = randomUUID();
    const answered = (status: number) => opts.onInvoke?.({ functionName, invocationType: type, status });
    if (type === 'DryRun') {
      res.writeHead(204, { 'x-amzn-RequestId': requestId }).end();
      return answered(204);
    }
    if (type === 'Event') {
      res.writeHead(202, { 'x-amzn-RequestId': requestId, 'Content-Length': '0' }).end();
      answered(202);
      // Queued: it runs after the answer, and nothing retries it.
      void fn.invoke(payload).catch((err: unknown) => opts.onAsyncError?.(functionName, err));
      return;
    }
    let result: unknown;
    try {
      result = await fn.invoke(payload);
    } catch (err) {
      const e = err as Error;
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Amz-Function-Error': 'Unhandled', 'X-Amz-Executed-Version': '$LATEST', 'x-amzn-RequestId': requestId });
      res.end(JSON.stringify({ errorType: e?.name ?? 'Error', errorMessage: String(e?.message ?? err) }));
      return answered(200);
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': '$LATEST', 'x-amzn-RequestId': requestId });
    res.end(result === undefined ? '' : JSON.stringify(result));
    answered(200);
  }

  const server = createServer((req, res) => {
    serve(req, res).catch(() => {
      if (!res.headersSent) sendError(res, 500, 'ServiceException', 'Internal error');
      else res.end();
    });
  });
  const port = await listen(server, 0);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => closeServer(server),
  };
}
