// The tenant id a user's data is keyed and tagged by: a hash of the user id, because session tag
// values allow only letters, digits, spaces and `_.:/=+-@`, and real user ids (`sub`) contain `|`
// and `#`. 32 hex characters (128 bits) keep collisions out of reach and the tag exact.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
import { createHash } from 'node:crypto';

export const tenantIdOf = (userId: string): string => createHash('sha256').update(userId, 'utf8').digest('hex').slice(0, 32);
