// Small interfaces the core depends on; adapters implement them.

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
