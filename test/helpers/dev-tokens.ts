// Tokens from the running local stack's dev issuer (the same key `npm run token` uses).
import { inject } from 'vitest';
import { mintDevToken, readDevIssuer, type DevTokenOptions } from '../../infra/local/dev-issuer';
import type { IssuerUnderTest } from './hostile-tokens';
import { recordCredential } from './credentials';

export const baseUrl = (): string => inject('baseUrl');

export function devToken(sub: string, opts: DevTokenOptions = {}): string {
  const token = mintDevToken(inject('dataDir'), sub, opts);
  recordCredential(token);
  return token;
}

export function devIssuer(): IssuerUnderTest {
  const { key, issuer, audience } = readDevIssuer(inject('dataDir'));
  return { key, issuer, audience };
}

/** A fresh user name per test run, so reruns against a kept DATA_DIR never share data. */
export const uniqueUser = (name: string): string => `${name}-${Math.random().toString(36).slice(2, 10)}`;
