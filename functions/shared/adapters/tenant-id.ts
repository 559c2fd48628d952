// A user's tenant id: the first 32 hex digits (128 bits) of the SHA-256 of their userId. It is the
// partition-key component of every family a user's credentials may reach, and the `tenant` session
// tag IAM compares with `dynamodb:LeadingKeys`. Session tag values allow only letters, digits,
// spaces and `_.:/=+-@` (https://docs.aws.amazon.com/STS/latest/APIReference/API_Tag.html), and
// real `sub` values hold `|` and `#`: a hex digest is always a valid tag and a fixed-length key
// component, so `USER#<tenant>` and `RATE#<tenant>#*` can never match another tenant's keys.
import { createHash } from 'node:crypto';
import { ValidationError } from '../core/errors';
import type { Tenant } from '../core/keys';
import { ILL_FORMED_MESSAGE, isWellFormed } from '../core/text';

export function tenantIdOf(userId: string): Tenant {
  // UTF-8 would map every lone surrogate to U+FFFD, so two such ids would share a tenant (THREATS T15).
  if (!isWellFormed(userId)) throw new ValidationError(`Identifiers ${ILL_FORMED_MESSAGE}`);
  return createHash('sha256').update(userId, 'utf8').digest('hex').slice(0, 32) as Tenant;
}
