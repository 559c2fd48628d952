// The enumeration thresholds are settings the audited functions are given (infra/routes.ts): a stack
// started with ENUMERATION_THRESHOLD=3 flags a caller after 4 denied thread reads, not after 21.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintDevToken } from '../../infra/local/dev-issuer';
import { recordCredential } from '../helpers/credentials';
import { api } from '../helpers/http';
import { startStackProcess, type StackProcess } from '../helpers/stack-process';

describe('ENUMERATION_THRESHOLD reaches the functions', () => {
  let stack: StackProcess;
  beforeAll(async () => {
    stack = await startStackProcess({ ENUMERATION_THRESHOLD: '3' });
  });
  afterAll(() => stack.stop());

  it('records security.enumeration_suspected once the configured threshold is passed', async () => {
    const prober = mintDevToken(stack.dataDir, `prober-${Date.now()}`);
    const admin = mintDevToken(stack.dataDir, `auditor-${Date.now()}`, { roles: ['admin'] });
    recordCredential(prober);
    recordCredential(admin);
    for (let i = 0; i < 4; i++) expect((await api(stack.baseUrl, 'GET', `/threads/01JAAAAAAAAAAAAAAAAAAAAAA${i}`, { token: prober })).status).toBe(403);
    const me = await api(stack.baseUrl, 'GET', '/me', { token: prober });
    const audit = await api(stack.baseUrl, 'GET', `/admin/audit?userId=${encodeURIComponent(me.body.userId)}&limit=100`, { token: admin });
    expect(audit.status).toBe(200);
    const actions = (audit.body.data as Array<{ action: string }>).map((e) => e.action);
    expect(actions.filter((a) => a === 'thread.read')).toHaveLength(4);
    expect(actions.filter((a) => a === 'security.enumeration_suspected')).toHaveLength(1);
  });
});
