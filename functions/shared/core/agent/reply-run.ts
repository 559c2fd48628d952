// A reply running on its own: the reply's events are made by a producer that no connection owns, so
// a client that goes away does not stop it (it runs to its end and is stored). Every event gets its
// number and is kept in the reply's log in batches (at most one batch per FLUSH_INTERVAL_MS, plus
// the last); each batch write, or a read when there is nothing to write, also tells whether a cancel
// was asked for, from any request in any execution environment, and then the producer's signal is
// aborted. Live listeners in this environment read the events from memory as they come.
import { FLUSH_INTERVAL_MS, type NumberedEvent, type ReplyErrorEvent, type ReplyLog, type ReplyStatus } from './reply-log';
import type { ReplyEvent } from './reply';

/** How a reply's producer ended when it did not fail. */
export type ReplyEnd = Extract<ReplyStatus, 'done' | 'cancelled'>;

export interface RunProps {
  readonly log: ReplyLog;
  readonly threadId: string;
  readonly replyId: string;
  /** The reply's events; it ends with `done`, or `cancelled` once `signal` aborts; a throw is a failed reply. */
  readonly produce: (signal: AbortSignal) => AsyncGenerator<ReplyEvent, ReplyEnd>;
  /** Aborted when a cancel is seen; its signal is the producer's (and the model call's). */
  readonly stop: AbortController;
  /** A failure's error event, as the live stream showed it (kept, so a resume ends with the same). */
  readonly errorEvent: (err: unknown) => ReplyErrorEvent;
  /** A log write that failed: the reply goes on (it is still stored); only a resume would miss events. */
  readonly onLogFault: (err: unknown) => void;
}

export interface LiveRun {
  /** The reply's events in this environment, numbered; throws the failure last when the reply fails. Any number of readers. */
  live(): AsyncGenerator<NumberedEvent>;
  /** Settles when the reply has ended and its log is final (an invocation waits for it before it ends). */
  readonly settled: Promise<void>;
}

/** Starts the producer at once; it runs to its end whoever listens. */
export function startRun(props: RunProps): LiveRun {
  const { log, threadId, replyId } = props;
  const kept: NumberedEvent[] = [];
  let pending: NumberedEvent[] = [];
  let finished = false;
  let failure: { readonly err: unknown } | null = null;
  let waiters: (() => void)[] = [];
  const notify = () => {
    const w = waiters;
    waiters = [];
    for (const wake of w) wake();
  };
  const changed = () => new Promise<void>((resolve) => waiters.push(resolve));
  const controller = props.stop;

  const push = (event: NumberedEvent['event']) => {
    const numbered = { id: kept.length + 1, event };
    kept.push(numbered);
    pending.push(numbered);
    notify();
  };

  /** Writes what is pending (or reads the cancel bit); a failed write is retried with the next batch. */
  async function flush(): Promise<void> {
    const batch = pending;
    pending = [];
    try {
      const cancel = batch.length > 0 ? (await log.append(threadId, replyId, batch)).cancelRequested : await log.cancelRequested(threadId, replyId);
      if (cancel) controller.abort();
    } catch (err) {
      pending = [...batch, ...pending];
      props.onLogFault(err);
    }
  }

  let producing = true;
  let stopTicking: () => void = () => undefined;
  async function tick(): Promise<void> {
    while (producing) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, FLUSH_INTERVAL_MS);
        stopTicking = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (producing) await flush();
    }
  }

  const settled = (async () => {
    const ticker = tick();
    let status: Exclude<ReplyStatus, 'running'>;
    try {
      const events = props.produce(controller.signal);
      let step = await events.next();
      while (!step.done) {
        push(step.value);
        step = await events.next();
      }
      status = step.value;
    } catch (err) {
      failure = { err };
      push(props.errorEvent(err));
      status = 'failed';
    }
    producing = false;
    stopTicking();
    await ticker;
    await flush();
    try {
      if (pending.length === 0) await log.finish(threadId, replyId, status, kept.length);
    } catch (err) {
      props.onLogFault(err);
    }
    // Live streams end once the log is final: a client that resumes after its stream ended finds the reply ended.
    finished = true;
    notify();
  })();

  return {
    settled,
    async *live() {
      let next = 0;
      for (;;) {
        while (next < kept.length) {
          const e = kept[next++]!;
          if (e.event.type !== 'error') yield e; // a live stream renders the failure itself, from the error
        }
        if (finished) {
          if (failure) throw failure.err;
          return;
        }
        await changed();
      }
    },
  };
}
