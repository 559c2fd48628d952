// `npm run token` refuses a bad --ttl with the usage line (no token, no stack trace) and honours a good one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inject } from 'vitest';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const tokenIn = (dataDir: string | undefined, ...args: string[]) => {
  const env: Record<string, string | undefined> = { ...process.env, DATA_DIR: dataDir };
  if (dataDir === undefined) delete env.DATA_DIR;
  return spawnSync(process.execPath, ['--import', 'tsx', 'infra/local/token-cli.ts', ...args], { cwd: ROOT, env, encoding: 'utf8' });
};
const token = (...args: string[]) => tokenIn(inject('dataDir'), ...args);
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

  it('says which DATA_DIR it looked in, and how to point it at the running stack\'s', () => {
    const empty = mkdtempSync(join(tmpdir(), 'threadguard-no-issuer-'));
    const res = tokenIn(empty, 'alice');
    expect(res.status).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(`No dev issuer in ${empty} (DATA_DIR=${empty}).`);
    expect(res.stderr).toContain('If a local stack is running, it was started with another DATA_DIR: run DATA_DIR=<that dir> npm run -s token -- alice');
    // Unset, it names the default and where that resolves.
    const tsx = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href; // cwd is not the project
    const unset = spawnSync(process.execPath, ['--import', tsx, join(ROOT, 'infra/local/token-cli.ts'), 'alice'], {
      cwd: empty,
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'DATA_DIR')),
      encoding: 'utf8',
    });
    expect(unset.stderr).toContain(`No dev issuer in ${resolve(empty, '.data')} (DATA_DIR is unset, so .data).`);
  });
});
