// Every DynamoDB key is built here. Components are escaped, never rejected (real `sub` values
// contain `|`, `:`, `@`, `#`), and escaping is injective, so no input can forge another key. The
// one refusal: ill-formed Unicode, which storage would map onto another key (THREATS T15).
import { ValidationError } from './errors';
import { ILL_FORMED_MESSAGE, isWellFormed } from './text';

const SEP = '#';

/** Percent-escape `%` and `#` so a component can never contain the separator. */
export function escapeKeyPart(value: string): string {
  // The edges refuse such ids with their own status first (401 for a token, 400 for an id); this is the backstop.
  if (!isWellFormed(value)) throw new ValidationError(`Identifiers ${ILL_FORMED_MESSAGE}`);
  return value.replace(/%/g, '%25').replace(/#/g, '%23');
}

export function unescapeKeyPart(value: string): string {
  return value.replace(/%23/g, '#').replace(/%25/g, '%');
}

const join = (...parts: string[]): string => parts.join(SEP);
const e = escapeKeyPart;

export const keys = {
  userPk: (userId: string) => join('USER', e(userId)),
  profileSk: () => 'PROFILE',
  /** The user's content key, wrapped under the key-encryption key; deleting it shreds the user's content. */
  userKeySk: () => 'KEY',
  /** Sign-out time and the owner's role as last seen, read by the authorizers (core/sessions.ts). */
  sessionSk: () => 'SESSION',
  threadSk: (threadId: string) => join('THREAD', e(threadId)),
  threadSkPrefix: () => 'THREAD#',
  itemSk: (threadId: string, itemId: string) => join('ITEM', e(threadId), e(itemId)),
  /** Ends with the separator so thread `a` never matches items of thread `ab`. */
  itemSkPrefix: (threadId: string) => join('ITEM', e(threadId), ''),
  taskSk: (taskId: string) => join('TASK', e(taskId)),
  taskSkPrefix: () => 'TASK#',
  /** Per-user task counter; keeps the tasks-per-user cap exact under concurrent creates. */
  taskCounterSk: () => 'TASKCOUNT',
  /** A user's model tokens of one UTC day (`YYYY-MM-DD`). */
  tokensSk: (day: string) => join('TOKENS', e(day)),
  apiKeyLookupPk: (sha256Hex: string) => join('APIKEY', e(sha256Hex)),
  apiKeyLookupSk: () => 'APIKEY',
  apiKeyRefSk: (keyId: string) => join('APIKEYREF', e(keyId)),
  apiKeyRefSkPrefix: () => 'APIKEYREF#',
  /** Per-user key counter; keeps the keys-per-user bound exact under concurrent creates. */
  apiKeyCounterSk: () => 'APIKEYCOUNT',
  ratePk: (subject: string, bucket: string) => join('RATE', e(subject), e(bucket)),
  rateSk: (windowStart: number) => join('WINDOW', String(windowStart)),
  auditPk: (userId: string) => join('AUDIT', e(userId)),
  auditSk: (atIso: string, id: string) => join(e(atIso), e(id)),
  /**
   * One shard of every actor's events of one UTC day: the unfiltered admin list is a Query per
   * shard (never a Scan), and no single key takes every user's writes.
   */
  auditDayPk: (day: string, shard: number) => join('AUDIT_ALL', e(day), String(shard)),
  denialsPk: (userId: string) => join('DENIALS', e(userId)),
  denialsSk: (windowStart: number) => join('WINDOW', String(windowStart)),
  connectionPk: (connectionId: string) => join('CONN', e(connectionId)),
  connectionSk: () => 'CONN',
  /** One of a user's WS_MAX_CONNECTIONS_PER_USER connection slots (zero-padded, so they sort). */
  connectionSlotSk: (slot: number) => join('CONNSLOT', String(slot).padStart(4, '0')),
  connectionSlotSkPrefix: () => 'CONNSLOT#',
  webhookPk: (source: string, key: string) => join('WEBHOOK', e(source), e(key)),
  /** One client Idempotency-Key record (its own partition: keys spread, no hot key). */
  idempotencyPk: (recordId: string) => join('IDEMPOTENCY', e(recordId)),
  idempotencySk: () => 'RECORD',
  webhookSk: () => 'EVENT',
  /** The deployment's key-encryption keys (KMS-wrapped), one row per version: not a tenant's partition. */
  keyringPk: () => 'KEYRING',
  kekSk: (version: string) => join('KEK', e(version)),
} as const;
