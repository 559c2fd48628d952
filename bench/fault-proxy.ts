// A fault-injecting proxy between the functions and DynamoDB (loopback only). Each request gets a
// fault from the policy: pass it on, answer as a throttling DynamoDB would, answer a 500, forward it
// and then cut the connection before the reply reaches the client (the write happened, the client
// does not know), or add latency. An upstream that cannot be reached is a cut connection too, as a
// stopped database looks to the SDK.
import { startDynamoProxy, type ProxiedRequest } from './dynamo-proxy';

export type { ProxiedRequest };

export type Fault =
  | { readonly kind: 'pass' }
  | { readonly kind: 'throttle' }
  | { readonly kind: 'error500' }
  | { readonly kind: 'dropAfterForward' }
  | { readonly kind: 'delay'; readonly ms: number };

export type FaultPolicy = (req: ProxiedRequest) => Fault;

export interface FaultProxy {
  readonly endpoint: string;
  /** Replaces the policy (tests arm one fault at a time). */
  setPolicy(policy: FaultPolicy): void;
  /** Faults injected so far, by kind. */
  readonly injected: Record<string, number>;
  close(): Promise<void>;
}

const PASS: Fault = { kind: 'pass' };

/** The error body DynamoDB sends; the SDK reads the error name from `__type`. */
function errorReply(type: string, message: string): string {
  return JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });
}

export async function startFaultProxy(target: string, policy: FaultPolicy = () => PASS): Promise<FaultProxy> {
  let current = policy;
  const injected: Record<string, number> = {};
  const proxy = await startDynamoProxy(target, async (req) => {
    const fault = current(req);
    if (fault.kind !== 'pass') injected[fault.kind] = (injected[fault.kind] ?? 0) + 1;
    switch (fault.kind) {
      case 'throttle':
        return { kind: 'answer', status: 400, body: errorReply('ProvisionedThroughputExceededException', 'Rate of requests exceeds the allowed throughput (injected).') };
      case 'error500':
        return { kind: 'answer', status: 500, body: errorReply('InternalServerError', 'Internal server error (injected).') };
      case 'dropAfterForward':
        return { kind: 'forward', dropReply: true };
      case 'delay':
        await new Promise((r) => setTimeout(r, fault.ms));
        return { kind: 'forward' };
      case 'pass':
        return { kind: 'forward' };
    }
  });
  return { endpoint: proxy.endpoint, setPolicy: (p) => (current = p), injected, close: () => proxy.close() };
}

/** A policy that injects `fault` into the first `times` requests matching `when`, then passes. */
export function faultOnce(when: (req: ProxiedRequest) => boolean, fault: Fault, times = 1): FaultPolicy {
  let left = times;
  return (req) => {
    if (left > 0 && when(req)) {
      left--;
      return fault;
    }
    return PASS;
  };
}

/** The string value of attribute `name` in a wire-shaped item or key (`{S: …}`). */
export function attr(item: unknown, name: string): string | undefined {
  const v = (item as Record<string, { S?: string }> | undefined)?.[name];
  return v?.S;
}
