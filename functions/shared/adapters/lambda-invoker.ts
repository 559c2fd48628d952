// Hands a job to another function by an asynchronous invoke (`InvocationType: Event`): Lambda queues
// the event and answers 202 at once, and the function runs without the caller waiting for it
// (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html). The endpoint is the SDK's own
// (`AWS_ENDPOINT_URL_LAMBDA` overrides it: the local stack's Invoke stand-in).
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { ClientInstrument } from './tenant-clients';

/** Queues `payload` (JSON) for the function; resolves once Lambda has accepted it. */
export type EventInvoker = (payload: unknown) => Promise<void>;

/**
 * @param functionName - the function's name or ARN
 * @param instrument - wraps the client (tracing)
 */
export function lambdaEventInvoker(functionName: string, instrument: ClientInstrument = (c) => c): EventInvoker {
  // One attempt: a retry after a lost answer would queue the same job twice (a reply run twice);
  // a failed hand-off is the sender's error frame, and the client may send again.
  const client = instrument(new LambdaClient({ maxAttempts: 1 }));
  return async (payload) => {
    const out = await client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(payload), 'utf8') }));
    if (out.StatusCode !== 202) throw new Error(`Asynchronous invoke of ${functionName} answered ${String(out.StatusCode)}`);
  };
}
