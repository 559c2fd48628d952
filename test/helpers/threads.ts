// Small helpers for thread tests: a user with a token and their id, and shorthand calls.
import { userIdFor } from '../../functions/shared/adapters/node-crypto';
import { api } from './http';
import { baseUrl, devIssuer, devToken, uniqueUser } from './dev-tokens';

export interface TestUser {
  readonly sub: string;
  readonly userId: string;
  readonly token: string;
}

export function testUser(name: string, roles?: string[], sub = uniqueUser(name)): TestUser {
  return { sub, userId: userIdFor(devIssuer().issuer, sub), token: devToken(sub, roles ? { roles } : {}) };
}

export const call = (user: TestUser, method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  api(baseUrl(), method, path, { token: user.token, body, headers });

export async function newThread(user: TestUser, title = 'a thread'): Promise<string> {
  const res = await call(user, 'POST', '/threads', { title });
  if (res.status !== 201) throw new Error(`thread create failed: ${res.status} ${res.text}`);
  return res.body.id as string;
}

export const THREAD_FORBIDDEN = { error: { code: 'forbidden', message: 'Thread not found or access denied' } };
export const TASK_FORBIDDEN = { error: { code: 'forbidden', message: 'Task not found or access denied' } };
