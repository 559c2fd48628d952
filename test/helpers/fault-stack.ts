// A second local stack whose functions reach DynamoDB through a fault-injecting proxy (the run's
// DynamoDB Local behind bench/fault-proxy.ts, named by DYNAMODB_ENDPOINT as a developer would).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../bench/fault-proxy';
import { userIdFor } from '../../functions/shared/adapters/node-crypto';
import { mintDevToken, readDevIssuer, type DevTokenOptions } from '../../infra/local/dev-issuer';
import { recordCredential } from './credentials';
import { startStackProcess, type StackProcess } from './stack-process';

export interface FaultStack {
  readonly stack: StackProcess;
  readonly proxy: FaultProxy;
  readonly webhookToken: string;
  token(sub: string, opts?: DevTokenOptions): string;
  userId(sub: string): string;
  stop(): Promise<void>;
}

export async function startFaultStack(env: Record<string, string> = {}): Promise<FaultStack> {
  const shared = JSON.parse(readFileSync(join(inject('dataDir'), 'local-stack.json'), 'utf8')) as { dynamodbEndpoint: string };
  const proxy = await startFaultProxy(shared.dynamodbEndpoint);
  const webhookToken = randomBytes(32).toString('base64url');
  recordCredential(webhookToken);
  try {
    const stack = await startStackProcess({ DYNAMODB_ENDPOINT: proxy.endpoint, WEBHOOK_TOKEN: webhookToken, RESPOND_LIMIT_PER_MINUTE: '100', ...env });
    return {
      stack,
      proxy,
      webhookToken,
      token(sub, opts) {
        const t = mintDevToken(stack.dataDir, sub, opts);
        recordCredential(t);
        return t;
      },
      userId: (sub) => userIdFor(readDevIssuer(stack.dataDir).issuer, sub),
      async stop() {
        await stack.stop();
        await proxy.close();
      },
    };
  } catch (err) {
    await proxy.close();
    throw err;
  }
}
