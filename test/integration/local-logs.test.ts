// The local stack's log lines name the function that wrote them, as separate log groups do deployed,
// although every function shares one process (and one Powertools logger module) locally.
import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import { describe, expect, it } from 'vitest';
import { baseUrl, devToken, uniqueUser } from '../helpers/dev-tokens';

const lines = () =>
  readFileSync(inject('logFile'), 'utf8')
    .split('\n')
    .flatMap((l) => {
      try {
        const o = JSON.parse(l) as unknown;
        return o && typeof o === 'object' ? [o as Record<string, unknown>] : [];
      } catch {
        return [];
      }
    });

describe('local function logs', () => {
  it('labels an authorizer failure with the authorizer, not the function that logged before it', async () => {
    // Another function logs first, then the authorizer refuses a token.
    expect((await fetch(`${baseUrl()}/threads`, { headers: { Authorization: `Bearer ${devToken(uniqueUser('logs'))}` } })).status).toBe(200);
    expect((await fetch(`${baseUrl()}/threads`, { headers: { Authorization: 'Bearer garbage' } })).status).toBe(401);
    // The stack's output reaches the log file through a pipe: wait (bounded) until the line is there.
    let failures: Record<string, unknown>[] = [];
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      failures = lines().filter((l) => l.message === 'authorization failed');
      if (failures.some((l) => l.function_name === 'authorizer-local')) break;
    }
    expect(failures.filter((l) => l.function_name === 'authorizer-local').length, inject('logFile')).toBeGreaterThan(0);
    // Only the two authorizers refuse credentials; each line names the one that wrote it.
    for (const l of failures) {
      expect(['authorizer-local', 'ws-authorizer-local']).toContain(l.function_name);
      expect(l.service).toBe(`threadguard-${String(l.function_name).replace(/-local$/, '')}`);
    }
  });

  it('gives every function log line the service of the function it names', () => {
    const labelled = lines().filter((l) => typeof l.function_name === 'string' && typeof l.service === 'string');
    expect(labelled.length).toBeGreaterThan(0);
    for (const l of labelled) expect(l.service, JSON.stringify(l)).toBe(`threadguard-${String(l.function_name).replace(/-local$/, '')}`);
  });
});
