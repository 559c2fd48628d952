// Content ciphers for tests that build stores directly: a real envelope cipher over a KMS stand-in
// (as the local stack runs it), or one that must never be reached.
import { randomBytes, randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { envelopeCipher } from '../../functions/shared/adapters/envelope-cipher';
import { kmsKeySource } from '../../functions/shared/adapters/kek-source';
import { createKmsClient } from '../../functions/shared/adapters/kms-client';
import type { ContentCipher } from '../../functions/shared/core/content-cipher';
import { systemClock } from '../../functions/shared/core/ports';
import { startKmsStandIn } from '../../infra/local/kms-stand-in';

/** A real envelope cipher on `tableName`, its KMS a stand-in of its own; `stop` ends the stand-in. */
export async function localCipher(client: DynamoDBDocumentClient, tableName: string): Promise<{ cipher: ContentCipher; stop: () => Promise<void> }> {
  const kms = await startKmsStandIn({ keyMaterial: randomBytes(32), keyId: randomUUID() });
  const keks = kmsKeySource({ kms: createKmsClient(kms.endpoint), keyId: kms.keyArn, client, tableName, clock: systemClock });
  return { cipher: envelopeCipher({ clientFor: () => client, tableName, keks, clock: systemClock }), stop: () => kms.stop() };
}

/** For a store whose every request must fail before content is sealed or opened. */
export const unreachableCipher: ContentCipher = {
  forUser: () => ({
    seal: () => Promise.reject(new Error('no content may be sealed here')),
    open: () => Promise.reject(new Error('no content may be opened here')),
  }),
  destroyUserKey: () => Promise.reject(new Error('no key may be destroyed here')),
};
