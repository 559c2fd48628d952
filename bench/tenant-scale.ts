// STS calls at internet scale, simulated (issue: 10,000 requests/s from 100,000 active users over
// 2,000 execution environments per function). Requests pick a user and an environment at random;
// scoped credentials last an hour and are renewed 5 minutes early (functions/shared/adapters/
// tenant-clients.ts). Pairs of (user, environment) are independent, so a slice with the same
// per-pair rate (1,000 users at 100 requests/s) is simulated for two hours and scaled by 100.
import type { Report } from './report';

const USERS = 100_000;
const ENVIRONMENTS = 2_000;
const RATE = 10_000; // requests per second, whole service
const SLICE = 100; // the slice simulated: USERS / SLICE users at RATE / SLICE requests/s
const LIFETIME_S = 3_600 - 300; // usable life of one credential
const WARMUP_S = 3_600;
const MEASURED_S = 3_600;

/** A seeded generator, so every run prints the same figures. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
}

/** STS calls per second, whole service, when `key(user, env)` names what one credential is cached by. */
function simulate(cacheKey: (user: number, env: number) => number): number {
  const random = rng(7);
  const users = USERS / SLICE;
  const perSecond = RATE / SLICE;
  const expires = new Map<number, number>();
  let calls = 0;
  for (let t = 0; t < WARMUP_S + MEASURED_S; t++) {
    for (let i = 0; i < perSecond; i++) {
      const k = cacheKey(Math.floor(random() * users), Math.floor(random() * ENVIRONMENTS));
      if ((expires.get(k) ?? -1) > t) continue;
      expires.set(k, t + LIFETIME_S);
      if (t >= WARMUP_S) calls++;
    }
  }
  return (calls / MEASURED_S) * SLICE;
}

export function benchTenantScale(report: Report): void {
  const section = 'tenant credentials at 10,000 req/s, 100,000 users, 2,000 environments (simulated)';
  const perEnvironment = simulate((user, env) => user * ENVIRONMENTS + env);
  const shared = simulate((user) => user);
  report.add(section, 'STS calls/s, cache per execution environment', perEnvironment, '/s', perEnvironment <= 100);
  report.add(section, 'STS calls/s, one credential per user shared by all environments', shared, '/s', shared <= 100);
  report.add(section, 'requests that call STS, per environment cache', (perEnvironment / RATE) * 100, '%');
}
