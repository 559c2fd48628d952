// Small interfaces the core depends on; adapters implement them.

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * Request input a use case reads only after its access decision (a thunk the controller builds
 * from the wire), so a refused caller gets its 403 whatever the body or query holds.
 */
export type Deferred<T> = () => T;

/** SHA-256 of UTF-8 text as lowercase hex: API-key hashes, issuer tags, derived webhook event ids. */
export interface Digest {
  sha256Hex(text: string): string;
}

/** A keyed MAC (base64url) over text, and its constant-time check: the signature on cursors. */
export interface MessageSigner {
  sign(message: string): string;
  /** True only for exactly the signature `sign` gives, compared in constant time. */
  verify(message: string, signature: string): boolean;
}
