// A mixed workload against a running stack: users listing and creating threads, posting messages,
// reading items, creating, listing and deleting tasks, deleting threads, creating and revoking API
// keys. Records each answer's latency and status, and what the API acknowledged (for the integrity
// pass). Bounded by time or by request count.
import { newAcknowledged, type Acknowledged } from './integrity';

export interface LoadUser {
  readonly token: string;
  readonly ack: Acknowledged;
}

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly latenciesMs: number[];
  readonly statuses: Record<string, number>;
  /** Bodies of 5xx answers other than the documented 503 (there should be none). */
  readonly unexpected: string[];
  /** Every 4xx answer, with its request: under `workerPerUser` none is expected, and the list says which. */
  readonly refused: string[];
}

export function loadUser(token: string, userId: string): LoadUser {
  return { token, ack: newAcknowledged(userId) };
}

const pick = <T>(xs: readonly T[]): T | undefined => xs[Math.floor(Math.random() * xs.length)];
let nonce = 0;
const label = (kind: string) => `${kind}-${process.pid}-${Date.now().toString(36)}-${(nonce++).toString(36)}`;

export async function runLoad(opts: {
  url: string;
  users: readonly LoadUser[];
  concurrency: number;
  durationMs?: number;
  maxRequests?: number;
  /**
   * Worker i acts only as user i (concurrency = users): no user races itself, so a 403 can only
   * be the service's mistake, never a thread or task another of the user's own requests deleted.
   */
  workerPerUser?: boolean;
}): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  const unexpected: string[] = [];
  const refused: string[] = [];
  const t0 = performance.now();
  const deadline = Date.now() + (opts.durationMs ?? 3_600_000);
  let started = 0;

  const call = async (user: LoadUser, method: string, path: string, body?: unknown) => {
    const start = performance.now();
    let status = 0;
    let text = '';
    try {
      const res = await fetch(`${opts.url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${user.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      text = (err as Error).message;
    }
    latenciesMs.push(performance.now() - start);
    const key = status === 0 ? 'connection error' : String(status);
    statuses[key] = (statuses[key] ?? 0) + 1;
    if ((status >= 500 && status !== 503) || status === 0) unexpected.push(`${method} ${path} -> ${key}: ${text.slice(0, 200)}`);
    if (status >= 400 && status < 500) refused.push(`${method} ${path} -> ${key}: ${text.slice(0, 200)}`);
    let json: Record<string, unknown> | null = null;
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : null;
    } catch {
      /* a stream or nothing */
    }
    return { status, json };
  };

  const step = async (user: LoadUser) => {
    const { ack } = user;
    const threads = [...ack.threads].filter((t) => !ack.threadDeletes.has(t));
    const tasks = [...ack.tasks].filter((t) => !ack.taskDeletes.has(t));
    const r = Math.random();
    if (r < 0.2 || threads.length === 0) {
      if (threads.length > 0 && r < 0.1) return void (await call(user, 'GET', '/threads'));
      const res = await call(user, 'POST', '/threads', { title: label('thread') });
      if (res.status === 201) ack.threads.add(String(res.json?.id));
    } else if (r < 0.4) {
      const threadId = pick(threads)!;
      const content = label('message');
      const res = await call(user, 'POST', `/threads/${threadId}/messages`, { content });
      if (res.status >= 200 && res.status < 300) ack.messages.set(threadId, (ack.messages.get(threadId) ?? new Set()).add(content));
    } else if (r < 0.55) {
      await call(user, 'GET', `/threads/${pick(threads)}/items`);
    } else if (r < 0.65) {
      await call(user, 'GET', '/threads');
    } else if (r < 0.75) {
      const res = await call(user, 'POST', '/tasks', { title: label('task') });
      if (res.status === 201) ack.tasks.add(String(res.json?.id));
    } else if (r < 0.82) {
      await call(user, 'GET', '/tasks');
    } else if (r < 0.88 && tasks.length > 0) {
      const taskId = pick(tasks)!;
      ack.taskDeletes.add(taskId);
      await call(user, 'DELETE', `/tasks/${taskId}`);
    } else if (r < 0.91 && threads.length > 1) {
      const threadId = pick(threads)!;
      ack.threadDeletes.add(threadId);
      await call(user, 'DELETE', `/threads/${threadId}`);
    } else if (r < 0.94) {
      const res = await call(user, 'POST', '/api-keys', { name: label('key') });
      if (res.status === 201 && Math.random() < 0.7) await call(user, 'DELETE', `/api-keys/${String(res.json?.id)}`);
    } else {
      await call(user, 'GET', `/threads/${pick(threads)}`);
    }
  };

  const worker = async (i: number) => {
    while (Date.now() < deadline && (opts.maxRequests === undefined || started < opts.maxRequests)) {
      started++;
      await step(opts.workerPerUser ? opts.users[i % opts.users.length]! : pick(opts.users)!);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, i) => worker(i)));
  return { requests: latenciesMs.length, seconds: (performance.now() - t0) / 1000, latenciesMs, statuses, unexpected, refused };
}
