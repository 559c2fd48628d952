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

/**
 * A user's tenant id (adapters/tenant-id.ts: 32 hex digits of the SHA-256 of the userId): the
 * partition-key component of every family IAM confines to the user (USER#, RATE#, CONNSLOT#). A
 * brand, so no caller can pass a raw userId where the tenant belongs.
 */
export type Tenant = string & { readonly __tenant: unique symbol };

/** The partition-key prefixes a tenant's credentials may reach (infra/tenant-access.ts builds IAM from them). */
export const TENANT_FAMILIES = { user: 'USER', rate: 'RATE' } as const;

export const keys = {
  userPk: (tenant: Tenant) => join(TENANT_FAMILIES.user, tenant),
  profileSk: () => 'PROFILE',
  /** The user's content key, wrapped under the key-encryption key; deleting it shreds the user's content. */
  userKeySk: () => 'KEY',
  /** Sign-out time and the owner's role as last seen, read by the authorizers (core/sessions.ts). */
  sessionSk: () => 'SESSION',
  threadSk: (threadId: string) => join('THREAD', e(threadId)),
  threadSkPrefix: () => 'THREAD#',
  itemSk: (threadId: string, itemId: string) => join('ITEM', e(threadId), e(itemId)),
  /** Every item of every thread of the partition. */
  allItemsSkPrefix: () => 'ITEM#',
  /** Ends with the separator so thread `a` never matches items of thread `ab`. */
  itemSkPrefix: (threadId: string) => join('ITEM', e(threadId), ''),
  /** A reply's log (core/agent/reply-log.ts): its state row. */
  replySk: (threadId: string, replyId: string) => join('REPLY', e(threadId), e(replyId)),
  /** One batch of a reply's events, keyed by the batch's last event id (zero-padded, so they sort). */
  replyEventsSk: (threadId: string, replyId: string, lastId: number) => join('REPLY', e(threadId), e(replyId), String(lastId).padStart(7, '0')),
  /** Every reply log of a thread (deleted with it). */
  replyLogSkPrefix: (threadId: string) => join('REPLY', e(threadId), ''),
  taskSk: (taskId: string) => join('TASK', e(taskId)),
  taskSkPrefix: () => 'TASK#',
  /** Per-user task counter; keeps the tasks-per-user cap exact under concurrent creates. */
  taskCounterSk: () => 'TASKCOUNT',
  /** A user's model tokens of one UTC day (`YYYY-MM-DD`). */
  tokensSk: (day: string) => join('TOKENS', e(day)),
  /** The budget an admin set for the user (core/usage.ts): absent means the deployment's defaults. */
  budgetSk: () => 'BUDGET',
  apiKeyLookupPk: (sha256Hex: string) => join('APIKEY', e(sha256Hex)),
  apiKeyLookupSk: () => 'APIKEY',
  apiKeyRefSk: (keyId: string) => join('APIKEYREF', e(keyId)),
  apiKeyRefSkPrefix: () => 'APIKEYREF#',
  /** Per-user key counter; keeps the keys-per-user bound exact under concurrent creates. */
  apiKeyCounterSk: () => 'APIKEYCOUNT',
  ratePk: (tenant: Tenant, bucket: string) => join(TENANT_FAMILIES.rate, tenant, e(bucket)),
  rateSk: (windowStart: number) => join('WINDOW', String(windowStart)),
  auditPk: (userId: string) => join('AUDIT', e(userId)),
  auditSk: (atIso: string, id: string) => join(e(atIso), e(id)),
  /**
   * One shard of every actor's events of one UTC day: the unfiltered admin list is a Query per
   * shard (never a Scan), and no single key takes every user's writes.
   */
  auditDayPk: (day: string, shard: number) => join('AUDIT_ALL', e(day), String(shard)),
  /**
   * One shard of the users active on one UTC day, one row per user (SK: the escaped userId), for
   * the admin ranking: a user's shard is fixed by their id, so each reply adds to its own row and no
   * key takes every user's writes (core/usage.ts).
   */
  usageDayPk: (day: string, shard: number) => join('USAGE_DAY', e(day), String(shard)),
  usageDaySk: (userId: string) => e(userId),
  denialsPk: (userId: string) => join('DENIALS', e(userId)),
  denialsSk: (windowStart: number) => join('WINDOW', String(windowStart)),
  connectionPk: (connectionId: string) => join('CONN', e(connectionId)),
  connectionSk: () => 'CONN',
  /** A user's WS_MAX_CONNECTIONS_PER_USER connection slots: their own family, reached with the connection records. */
  connectionSlotPk: (tenant: Tenant) => join('CONNSLOT', tenant),
  /** One slot (zero-padded, so they sort). */
  connectionSlotSk: (slot: number) => join('CONNSLOT', String(slot).padStart(4, '0')),
  connectionSlotSkPrefix: () => 'CONNSLOT#',
  webhookPk: (source: string, key: string) => join('WEBHOOK', e(source), e(key)),
  /** One client Idempotency-Key record (its own partition: keys spread, no hot key). */
  idempotencyPk: (recordId: string) => join('IDEMPOTENCY', e(recordId)),
  idempotencySk: () => 'RECORD',
  /**
   * The ids of the Idempotency-Key records holding content of `userId`'s thread `threadId`, so
   * deleting the thread deletes them too (lambda/idempotency.ts). In the records' own key family
   * (three parts where a record's key has one, so never a record's key).
   */
  replayRefPk: (userId: string, threadId: string) => join('IDEMPOTENCY', 'THREAD', e(userId), e(threadId)),
  /**
   * One row per Idempotency-Key record of `userId` (sort key: the record id), so deleting the
   * account deletes the records too. Three parts where a record's key has one and a thread's
   * reference list four, so it is neither.
   */
  userRecordsPk: (userId: string) => join('IDEMPOTENCY', 'USER', e(userId)),
  webhookSk: () => 'EVENT',
  /** The deployment's key-encryption keys (KMS-wrapped), one row per version: not a tenant's partition. */
  keyringPk: () => 'KEYRING',
  kekSk: (version: string) => join('KEK', e(version)),
} as const;
