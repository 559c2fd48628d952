// THREATS T15: an identifier holding an unpaired surrogate must never reach a key, since storage maps
// `bob\ud800` and `bob\udc00` to the same bytes. Property tests over strings with lone surrogates.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../../functions/shared/adapters/jwt-token-verifier';
import { loadAuthConfig } from '../../../functions/shared/config';
import { authenticateJwt } from '../../../functions/shared/core/authenticate';
import { cursorCodec, signCursor } from '../../../functions/shared/core/cursor';
import { ValidationError } from '../../../functions/shared/core/errors';
import { keys } from '../../../functions/shared/core/keys';
import { tenantIdOf } from '../../../functions/shared/adapters/tenant-id';
import { isPossibleUserId } from '../../../functions/shared/core/principal';
import { idSchema } from '../../../functions/shared/lambda/validation';
import { generateSigningKey, signJwt, type SigningKey } from '../../../infra/local/jwt-sign';
import { startJwksServer, type JwksServer } from '../../helpers/jwks-server';
import { illFormed } from '../../helpers/unicode';
import { nodeDigest } from '../../../functions/shared/adapters/node-crypto';
import { hmacSigner } from '../../../functions/shared/adapters/node-crypto';

describe('well-formed identifiers', () => {
  let key: SigningKey;
  let server: JwksServer;
  beforeAll(async () => {
    key = generateSigningKey('EdDSA');
    server = await startJwksServer([key]);
  });
  afterAll(() => server.close());

  it('refuses every token whose sub holds an unpaired surrogate (401), and the same sub made well-formed passes', async () => {
    const deps = { tokens: createTokenVerifier(loadAuthConfig({ JWT_ISSUER: server.issuer, JWKS_URI: server.jwksUri })), apiKeys: { findByHash: async () => null }, digest: nodeDigest, rolesClaim: 'roles' };
    const now = Math.floor(Date.now() / 1000);
    const token = (sub: string) => signJwt(key, { iss: server.issuer, aud: 'threadguard', sub, iat: now, exp: now + 600 });
    await fc.assert(
      fc.asyncProperty(illFormed, async (sub) => {
        await expect(authenticateJwt(deps, token(sub))).rejects.toMatchObject({ reason: 'ill_formed_sub', code: 'unauthorized' });
      }),
      { numRuns: 200 },
    );
    const ok = await authenticateJwt(deps, token('bob?'));
    expect(ok.userId.endsWith(':bob?')).toBe(true);
  });

  it('refuses to build any key from an ill-formed component, so no store can address one', () => {
    fc.assert(
      fc.property(illFormed, (s) => {
        for (const build of [(x: string) => keys.userPk(tenantIdOf(x)), keys.threadSk, keys.taskSk, keys.apiKeyRefSk, (x: string) => keys.itemSk('t', x), (x: string) => keys.webhookPk('tasks', x)]) {
          expect(() => build(s)).toThrow(ValidationError);
        }
      }),
    );
  });

  it('answers 400 for an ill-formed id in a body, a userId filter or a cursor position', () => {
    const codec = cursorCodec(hmacSigner('0123456789abcdef0123456789abcdef'));
    const scope = { userId: 'u', list: 'threads' as const };
    fc.assert(
      fc.property(illFormed, (s) => {
        expect(idSchema.safeParse(s).success).toBe(false);
        expect(isPossibleUserId(s)).toBe(false);
        const forged = signCursor(hmacSigner('0123456789abcdef0123456789abcdef'), JSON.stringify(['u', 'threads', 'u', '', '']), { k: `THREAD#${s}` });
        expect(() => codec.decode(scope, forged)).toThrow(ValidationError);
      }),
    );
  });
});
