// `npm run token` refuses a bad --ttl with the usage line (no token, no stack trace) and honours a good one.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { inject } from 'vitest';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const token = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'infra/local/token-cli.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: inject('dataDir') },
    encoding: 'utf8',
  });
const USAGE = 'usage: npm run -s token -- <user> [--roles admin,guest] [--email x@y] [--ttl seconds]';

describe('npm run token', () => {
  it.each([['abc'], ['-5'], ['0'], ['1.5'], ['60s'], ['']])('refuses --ttl %j with the usage line', (ttl) => {
    const res = token('alice', '--ttl', ttl);
    expect(res.status).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(USAGE);
    expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('refuses a missing user and unknown options the same way', () => {
    for (const args of [[], ['alice', '--nope'], ['alice', 'bob']]) {
      const res = token(...args);
      expect(res.status, args.join(' ')).toBe(2);
      expect(res.stderr).toContain(USAGE);
    }
  });

  it('mints a token that lives exactly --ttl seconds', () => {
    const res = token('alice', '--ttl', '60');
    expect(res.status, res.stderr).toBe(0);
    const payload = JSON.parse(Buffer.from(res.stdout.trim().split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number };
    expect(payload.exp - payload.iat).toBe(60);
  });
});
