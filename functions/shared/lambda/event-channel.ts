// Turns a producer that emits through a callback into an async iterable, so a transport can write
// each event the moment it exists. A producer failure is rethrown to the reader after the events
// already emitted.
import { setImmediate as nextTurn } from 'node:timers/promises';

export async function* eventChannel<T>(produce: (emit: (event: T) => void) => Promise<unknown>): AsyncGenerator<T> {
  const queue: T[] = [];
  let wake: (() => void) | null = null;
  let finished = false;
  let failure: { err: unknown } | null = null;
  const emit = (event: T) => {
    queue.push(event);
    wake?.();
  };
  void produce(emit).then(
    () => {
      finished = true;
      wake?.();
    },
    (err: unknown) => {
      failure = { err };
      finished = true;
      wake?.();
    },
  );
  for (;;) {
    while (queue.length > 0) {
      yield queue.shift() as T;
      // Give the socket a turn, so each event leaves as it is produced rather than in one burst.
      await nextTurn();
    }
    if (finished) break;
    await new Promise<void>((r) => (wake = r));
    wake = null;
  }
  if (failure) throw (failure as { err: unknown }).err;
}
