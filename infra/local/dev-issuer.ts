// The built-in dev identity provider: one RS256 key kept in DATA_DIR, a JWKS served by the local
// stack, and tokens for `npm run token`. Used only when JWT_ISSUER/JWKS_URI are not set.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKey, jwksOf, signJwt, type SigningKey } from './jwt-sign';

export const DEV_ISSUER_PATH = '/dev-issuer';
export const DEV_JWKS_PATH = `${DEV_ISSUER_PATH}/.well-known/jwks.json`;
export const DEV_AUDIENCE = 'threadguard';

interface DevIssuerState {
  key: SigningKey;
  /** The issuer URL of the stack that last started with this DATA_DIR (read by `npm run token`). */
  issuer?: string;
  audience?: string;
}

const stateFile = (dataDir: string) => join(dataDir, 'dev-issuer.json');

export function loadOrCreateDevKey(dataDir: string): SigningKey {
  mkdirSync(dataDir, { recursive: true });
  const file = stateFile(dataDir);
  if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as DevIssuerState).key;
  const key = generateSigningKey('RS256');
  writeFileSync(file, JSON.stringify({ key } satisfies DevIssuerState), { mode: 0o600 });
  return key;
}

export function recordDevIssuer(dataDir: string, issuer: string, audience: string): void {
  const key = loadOrCreateDevKey(dataDir);
  writeFileSync(stateFile(dataDir), JSON.stringify({ key, issuer, audience } satisfies DevIssuerState), { mode: 0o600 });
}

export function readDevIssuer(dataDir: string): Required<DevIssuerState> {
  const file = stateFile(dataDir);
  if (!existsSync(file)) throw new Error(`No dev issuer in ${dataDir}: start the local stack first (npm start)`);
  const state = JSON.parse(readFileSync(file, 'utf8')) as DevIssuerState;
  if (!state.issuer) throw new Error(`The dev issuer in ${dataDir} has not been started yet: run npm start`);
  return { key: state.key, issuer: state.issuer, audience: state.audience ?? DEV_AUDIENCE };
}

export const devJwks = (key: SigningKey) => jwksOf(key);

export interface DevTokenOptions {
  roles?: string[];
  email?: string;
  ttlSeconds?: number;
  now?: number;
}

export function mintDevToken(dataDir: string, sub: string, opts: DevTokenOptions = {}): string {
  const { key, issuer, audience } = readDevIssuer(dataDir);
  const iat = Math.floor((opts.now ?? Date.now()) / 1000);
  return signJwt(key, {
    iss: issuer,
    aud: audience,
    sub,
    iat,
    exp: iat + (opts.ttlSeconds ?? 3600),
    ...(opts.roles && opts.roles.length > 0 ? { roles: opts.roles } : {}),
    ...(opts.email ? { email: opts.email } : {}),
  });
}
