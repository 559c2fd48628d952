// Bounds on API keys that deployment settings are checked against too (config.ts, infra/config.ts),
// kept apart so reading the settings loads none of the key use cases.

/** Longest lifetime a key may be given (`expiresInDays`, `API_KEY_MAX_DAYS`). */
export const MAX_API_KEY_DAYS = 365;
