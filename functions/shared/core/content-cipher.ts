// The third wall (DESIGN invariant 11c): user content is stored sealed under key material unique to
// its owner, bound to owner, record and field. The stores seal on write and open on read; the core
// only sees this port, never a cipher or a key.

/** One user's content, sealed and opened under that user's own key. */
export interface UserCipher {
  /**
   * Seals `plaintext` for `record` (the row's sort key, e.g. `THREAD#<id>`) and `field` (the
   * attribute): the result opens only for this user, this record and this field.
   */
  seal(record: string, field: string, plaintext: string): Promise<Uint8Array>;
  /** @throws ContentUnreadableError when the ciphertext is not this user's, this record's and this field's (or the key is gone). */
  open(record: string, field: string, sealed: Uint8Array): Promise<string>;
}

export interface ContentCipher {
  forUser(userId: string): UserCipher;
  /**
   * Crypto-shredding: destroys the user's key material, so every copy of their content anywhere
   * (backups past the key's last copy, exports, stray records) stops opening. Idempotent.
   */
  destroyUserKey(userId: string): Promise<void>;
}

/** A stored attribute's value: sealed bytes, or text written before content was sealed. */
export async function openField(cipher: UserCipher, record: string, field: string, stored: unknown): Promise<string | undefined> {
  if (stored instanceof Uint8Array) return cipher.open(record, field, stored);
  return typeof stored === 'string' ? stored : undefined;
}
