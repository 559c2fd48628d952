// Builds the audit log every function uses, once per cold start: durable DynamoDB events, a
// structured log line per event, and enumeration detection with its alarm metric (THREATS T2).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadAuditConfig } from '../config';
import { DynamoDbAuditLog } from '../adapters/audit-log';
import { DynamoDbDenialCounter } from '../adapters/denial-counter';
import type { AuditLog } from '../core/audit';
import { withEnumerationDetection } from '../core/enumeration';
import { ulidGenerator } from '../core/ids';
import { systemClock, type Clock } from '../core/ports';
import { logger } from './logger';
import { emitEnumerationSuspected } from './metrics';

export interface AuditWiring {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly env?: Record<string, string | undefined>;
  readonly clock?: Clock;
  /** Metric sink; the Powertools metric by default. */
  readonly onSuspected?: (userId: string) => void;
}

export function createAuditLog(w: AuditWiring): { log: AuditLog; store: DynamoDbAuditLog } {
  const config = loadAuditConfig(w.env ?? process.env);
  const clock = w.clock ?? systemClock;
  const store = new DynamoDbAuditLog({
    client: w.client,
    tableName: w.tableName,
    clock,
    ids: ulidGenerator(clock, (b) => crypto.getRandomValues(b)),
    retentionDays: config.retentionDays,
    shards: config.shards,
    log: (event) => logger.info('audit', { audit: event }),
  });
  const log = withEnumerationDetection({
    inner: store,
    counter: new DynamoDbDenialCounter(w.client, w.tableName),
    clock,
    settings: { threshold: config.enumerationThreshold, windowMinutes: config.enumerationWindowMinutes },
    onSuspected: w.onSuspected ?? (() => emitEnumerationSuspected()),
  });
  return { log, store };
}
