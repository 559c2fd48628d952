// The content key (infra/constructs/content-key.ts): a customer-managed, rotated, retained KMS key
// whose policy lets only the roles of the functions that seal content use it, only with the
// encryption context the design uses; the account may administer it but not use it; every function
// that seals content is told the key; no other function gets either.
import { describe, expect, it } from 'vitest';
import { FUNCTIONS, WEBSOCKET, sealsContent } from '../../infra/routes';
import { synth } from '../helpers/synth';

type Statement = { Sid?: string; Action: string | string[]; Principal: { AWS: unknown }; Condition?: Record<string, Record<string, unknown>> };

const pascal = (s: string) => s.replace(/(^|[-_])(\w)/g, (_, __, c: string) => c.toUpperCase());
const ALL = { ...FUNCTIONS, Websocket: WEBSOCKET.fn, WsReply: WEBSOCKET.reply, WsAuthorizer: WEBSOCKET.authorizer };

describe('T27: content key', () => {
  const { template } = synth();
  // The stack has two keys (the table's and this one): the content key is the ContentKey construct's.
  const [keyId, key] = (Object.entries(template.findResources('AWS::KMS::Key')) as [string, { Properties: { EnableKeyRotation: boolean; KeyPolicy: { Statement: Statement[] } }; DeletionPolicy: string }][]).find(([id]) => id.startsWith('ContentKey'))!;
  const statements = key.Properties.KeyPolicy.Statement;
  const fns = template.findResources('AWS::Lambda::Function') as Record<string, { Properties: { Role: { 'Fn::GetAtt': [string] }; Environment?: { Variables?: Record<string, unknown> } } }>;
  const fnOf = (name: string) => Object.entries(fns).find(([id]) => id.startsWith(`${pascal(name)}Function`))![1];

  it('is one rotated key, kept when the stack goes', () => {
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
  });

  it('lets the account administer the key but not encrypt or decrypt with it', () => {
    const admin = statements.find((s) => s.Sid === 'KeyAdministration')!;
    const actions = [admin.Action].flat();
    expect(actions).toContain('kms:ScheduleKeyDeletion');
    for (const a of actions) expect(a).not.toMatch(/^kms:(\*|Decrypt|Encrypt|GenerateDataKey|ReEncrypt)/);
  });

  it('lets exactly the content-sealing functions make and unwrap keys, with this design’s encryption context only', () => {
    const users = statements.filter((s) => s.Sid !== 'KeyAdministration');
    const sealing = Object.entries(ALL).filter(([, def]) => sealsContent(def)).map(([name]) => name);
    expect(sealing.sort()).toEqual(['Websocket', 'WsReply', 'admin', 'chatkit', 'export', 'me', 'messages', 'tasks', 'threads', 'webhook']);
    const roles = users.map((s) => JSON.stringify(s.Principal.AWS));
    for (const name of Object.keys(ALL)) {
      const role = fnOf(name).Properties.Role['Fn::GetAtt'][0];
      expect(roles.some((r) => r.includes(role)), name).toBe(sealing.includes(name));
      const env = fnOf(name).Properties.Environment?.Variables ?? {};
      expect('KMS_KEY_ID' in env, name).toBe(sealing.includes(name));
      if (sealing.includes(name)) expect(env.KMS_KEY_ID).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    }
    for (const s of users) {
      expect([s.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      expect(s.Condition).toEqual({
        'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['tg:purpose', 'tg:kek'] },
        StringEquals: { 'kms:EncryptionContext:tg:purpose': 'threadguard-kek' },
      });
    }
  });
});
