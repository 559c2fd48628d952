// Small interfaces the core depends on; adapters implement them.

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * Request input a use case reads only after its access decision (a thunk the controller builds
 * from the wire), so a refused caller gets its 403 whatever the body or query holds.
 */
export type Deferred<T> = () => T;
