// THREATS T11 over the whole integration run: runs last (see vitest.config.ts) and checks that no
// credential any test used or minted, no local secret and no dev signing key appears in the
// stack's captured output or its database files, and that no response echoed a credential.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { ECHOED_CREDENTIALS_FILE, USED_CREDENTIALS_FILE } from '../helpers/credentials';

const dataDir = inject('dataDir');

function usedCredentials(): string[] {
  const file = join(dataDir, USED_CREDENTIALS_FILE);
  if (!existsSync(file)) return [];
  const values = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as string);
  return [...new Set(values)];
}

/** A JWT's signature is a secret on its own; long enough to never match by chance. */
const needlesFor = (credential: string): string[] => {
  const sig = credential.split('.')[2];
  return sig && sig.length >= 16 ? [credential, sig] : [credential];
};

function localSecrets(): string[] {
  const secrets = readdirSync(dataDir)
    .filter((f) => f.endsWith('.secret'))
    .map((f) => readFileSync(join(dataDir, f), 'utf8').trim());
  const issuer = JSON.parse(readFileSync(join(dataDir, 'dev-issuer.json'), 'utf8')) as { key: { privateJwk: { d?: string } } };
  if (issuer.key.privateJwk?.d) secrets.push(issuer.key.privateJwk.d);
  return secrets.filter((s) => s.length >= 16);
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('secrets after the whole integration run (T11)', () => {
  const credentials = usedCredentials();
  // The webhook token came from WEBHOOK_TOKEN, so the start banner must not show it either.
  const needles = [...credentials.flatMap(needlesFor), ...localSecrets(), inject('webhookToken')];

  it('has a record of the credentials the run used', () => {
    // The suite mints and sends dozens of tokens; an empty record would make the checks below vacuous.
    expect(credentials.length).toBeGreaterThan(20);
    expect(localSecrets().length).toBeGreaterThan(0);
  });

  it('finds none of them in the stack output', () => {
    // Every line, the start banner included (it says where the token came from, never the token).
    const logs = readFileSync(inject('logFile'), 'utf8');
    expect(logs).toContain('Webhook token (local): from WEBHOOK_TOKEN (not printed)');
    expect(logs).toContain('authorization failed');
    expect(logs).toContain('"message":"request"');
    const leaked = needles.filter((n) => logs.includes(n)).map((n) => `${n.slice(0, 12)}… (${n.length} chars)`);
    expect(leaked).toEqual([]);
  });

  it('finds none of them in the database files (keys are stored as hashes only)', () => {
    const files = filesUnder(join(dataDir, 'dynamodb'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const content = readFileSync(file).toString('latin1');
      const leaked = needles.filter((n) => content.includes(n)).map((n) => `${n.slice(0, 12)}…`);
      expect(leaked, file).toEqual([]);
    }
  });

  it('saw no response echo a credential sent with its request', () => {
    const file = join(dataDir, ECHOED_CREDENTIALS_FILE);
    expect(existsSync(file) ? readFileSync(file, 'utf8') : '').toBe('');
  });
});
