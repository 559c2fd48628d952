// `npm start`'s banner never prints a supplied secret; a generated webhook token is stored 0600 and
// the banner names the file and the command that reads it. A WEBHOOK_TOKEN written as `Bearer <token>`
// works; one senders could never present stops the start, naming the variable. Own stacks, own DATA_DIRs.
import { execSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { api } from '../helpers/http';
import { recordCredential } from '../helpers/credentials';
import { startStackProcess } from '../helpers/stack-process';

const bannerLine = (log: string) => log.split('\n').find((l) => l.startsWith('Webhook token (local): ')) ?? '';

describe('npm start: the webhook token in the banner', () => {
  it('prints where a generated token is stored (0600) and how to read it, never the token', async () => {
    const stack = await startStackProcess({ WEBHOOK_TOKEN: '' });
    try {
      const line = bannerLine(readFileSync(stack.logFile, 'utf8'));
      const m = /generated into (\S+) \(mode 0600\); read it with: (cat \S+)$/.exec(line);
      expect(m, line).not.toBeNull();
      const [, file, command] = m!;
      expect(statSync(file!).mode & 0o777).toBe(0o600);
      const token = execSync(command!, { encoding: 'utf8' }).trim();
      recordCredential(token);
      expect(token.length).toBeGreaterThanOrEqual(32);
      expect(readFileSync(stack.logFile, 'utf8')).not.toContain(token);
      const res = await api(stack.baseUrl, 'POST', '/webhooks/dao', { token, body: { id: 'banner-1' } });
      expect(res.status).toBe(202);
    } finally {
      await stack.stop();
    }
  });

  it('accepts WEBHOOK_TOKEN given as "Bearer <token>" and never prints it', async () => {
    const token = `tok-${crypto.randomUUID()}`;
    recordCredential(token);
    const stack = await startStackProcess({ WEBHOOK_TOKEN: `Bearer ${token}` });
    try {
      const res = await api(stack.baseUrl, 'POST', '/webhooks/dao', { token, body: { id: 'bearer-1' } });
      expect(res.status).toBe(202);
      const log = readFileSync(stack.logFile, 'utf8');
      expect(bannerLine(log)).toBe('Webhook token (local): from WEBHOOK_TOKEN (not printed)');
      expect(log).not.toContain(token);
    } finally {
      await stack.stop();
    }
  });

  it('refuses to start with a WEBHOOK_TOKEN no sender could present, naming the variable', async () => {
    const error = await startStackProcess({ WEBHOOK_TOKEN: 'Bearer two words' }).then(
      (s) => s.stop().then(() => null),
      (e: Error) => e,
    );
    expect(error).not.toBeNull();
    const logFile = /see (\S+)$/.exec(error!.message)![1]!;
    const log = readFileSync(logFile, 'utf8');
    expect(log).toMatch(/Local stack failed to start: Invalid configuration: WEBHOOK_TOKEN: /);
    expect(log).not.toContain('two words');
  });
});
