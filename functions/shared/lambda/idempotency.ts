// Client idempotency for POST routes (API.md): the same `Idempotency-Key`, body and caller within
// 24 h replays the first response; the same key with another body, or while the first request is
// still running, is `409 conflict`. Powertools Idempotency does the bookkeeping; its records live in
// the main table, one partition per record (no single key every POST writes), expired by TTL.
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { asUnavailable } from '../adapters/dynamo-faults';
import { ConflictError, ValidationError } from '../core/errors';
import { keys, unescapeKeyPart } from '../core/keys';
import type { HttpResult } from './http-handler';
import type { HttpRequest } from './http-request';
import { WITHOUT_IDEMPOTENCY_KEY } from './idempotency-routes';

/** How long a key is remembered (API.md: 24 h). */
export const IDEMPOTENCY_WINDOW_SECONDS = 86_400;
/** 1-200 printable ASCII characters (API.md). */
const KEY_TEXT = /^[\x20-\x7e]{1,200}$/;
const REPLAYED_HEADER = 'Idempotent-Replayed';



const PK_PREFIX = keys.idempotencyPk('');

/**
 * Powertools keys a record as `id` or as one static partition plus `id` as sort key; the first
 * does not fit this table's PK/SK, the second would put every record under one partition key. So
 * each record gets its own partition: PK `IDEMPOTENCY#<record id>`, SK `RECORD`.
 */
class OwnPartitionPersistence extends DynamoDBPersistenceLayer {
  protected override getKey(idempotencyKey: string) {
    // Records read back carry the stored PK as their key; map it back to the record id.
    const id = idempotencyKey.startsWith(PK_PREFIX) ? unescapeKeyPart(idempotencyKey.slice(PK_PREFIX.length)) : idempotencyKey;
    return { PK: { S: keys.idempotencyPk(id) }, SK: { S: keys.idempotencySk() } };
  }
}

export interface IdempotentRunner {
  (req: HttpRequest, run: () => Promise<HttpResult>): Promise<HttpResult>;
  /**
   * The invocation's Lambda context: an in-progress record then expires with the invocation's
   * remaining time, so a request that died mid-way does not block its key's retries for 24 h.
   */
  useContext(context: Context): void;
}

interface Attempt {
  readonly caller: string;
  readonly route: string;
  readonly key: string;
  readonly body: string;
}

export function idempotentPosts(client: DynamoDBDocumentClient, tableName: string): IdempotentRunner {
  const persistenceStore = new OwnPartitionPersistence({ tableName, awsSdkV3Client: client as never, keyAttr: 'PK', expiryAttr: 'expiresAt' });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: '[caller, route, key]',
    payloadValidationJmesPath: 'body',
    expiresAfterSeconds: IDEMPOTENCY_WINDOW_SECONDS,
    // Marks a replayed response, so a client can tell it from a first run.
    responseHook: (response) => {
      const replay = response as unknown as HttpResult;
      return { ...replay, headers: { ...(replay.headers ?? {}), [REPLAYED_HEADER]: 'true' } } as never;
    },
  });
  const once = makeIdempotent(async (_attempt: Attempt, run: () => Promise<HttpResult>) => run(), { persistenceStore, config, dataIndexArgument: 0 });

  const runner = async (req: HttpRequest, run: () => Promise<HttpResult>): Promise<HttpResult> => {
    const route = `${req.method} ${req.resource}`;
    const header = req.headers['idempotency-key'];
    if (req.method !== 'POST' || header === undefined || WITHOUT_IDEMPOTENCY_KEY.has(route) || !req.principal) return run();
    if (!KEY_TEXT.test(header)) throw new ValidationError('Idempotency-Key must be 1-200 printable ASCII characters');
    try {
      return await once({ caller: req.principal.userId, route, key: header, body: req.rawBody ?? '' }, run);
    } catch (err) {
      if (err instanceof IdempotencyValidationError) throw new ConflictError('This Idempotency-Key was used with a different request body');
      if (err instanceof IdempotencyAlreadyInProgressError) throw new ConflictError('A request with this Idempotency-Key is still being processed; retry later');
      if (err instanceof IdempotencyPersistenceLayerError) throw asUnavailable(err.cause) ?? err;
      throw err;
    }
  };
  return Object.assign(runner, { useContext: (context: Context) => config.registerLambdaContext(context) });
}

