// The errors the write helpers raise, in a module of their own that loads no SDK: the edge
// authorizer classifies failures with them (dynamo-faults.ts) and must stay quick to import.

/** A single write's condition did not hold (an answer, not a fault). */
export const isConditionFailed = (err: unknown): boolean => (err as Error)?.name === 'ConditionalCheckFailedException';

export interface CancellationReason {
  readonly Code?: string;
}

export class TransactionCancelled extends Error {
  constructor(readonly reasons: readonly CancellationReason[]) {
    super('transaction cancelled');
    this.name = 'TransactionCancelled';
  }
  /** Index of the first item whose condition failed, or -1. */
  failedCondition(): number {
    return this.reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
  }
}

/** A batch write whose items DynamoDB kept refusing (throttling) after every retry. */
export class UnprocessedItemsError extends Error {
  constructor() {
    super('batch write: items left unprocessed after retries');
    this.name = 'UnprocessedItemsError';
  }
}
