// The core's Digest and MessageSigner ports over node:crypto, plus the two identity helpers built on
// them that tests, tools and adapters use with this digest.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { userIdFor as userIdWith } from '../core/authenticate';
import type { Digest, MessageSigner } from '../core/ports';

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export const nodeDigest: Digest = { sha256Hex };

/** HMAC-SHA256 under `secret`. */
export function hmacSigner(secret: string): MessageSigner {
  if (secret.length < 16) throw new Error('signing secret too short');
  const sign = (message: string) => createHmac('sha256', secret).update(message, 'utf8').digest('base64url');
  return {
    sign,
    verify(message, signature) {
      // Compared as text, so a non-canonical base64url variant of a valid signature is refused too.
      const expected = Buffer.from(sign(message));
      const given = Buffer.from(signature);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}

/** The user id a verified (iss, sub) pair maps to. */
export const userIdFor = (iss: string, sub: string): string => userIdWith(nodeDigest, iss, sub);
