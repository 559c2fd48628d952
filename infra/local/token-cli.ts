// `npm run token -- alice [--roles admin,guest] [--email a@example.com] [--ttl 3600]`: prints a dev token.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { mintDevToken } from './dev-issuer';

const USAGE = 'usage: npm run -s token -- <user> [--roles admin,guest] [--email x@y] [--ttl seconds]';

/** Bad arguments get the usage line and exit 2, never a stack trace or a token with a broken `exp`. */
function usage(problem?: string): never {
  if (problem) console.error(problem);
  console.error(USAGE);
  process.exit(2);
}

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    allowPositionals: true,
    options: { roles: { type: 'string' }, email: { type: 'string' }, ttl: { type: 'string' } },
  });
}
try {
  parsed = parse();
} catch (err) {
  usage((err as Error).message); // e.g. `--ttl -5` reads as an unknown option `-5`
}
const { values, positionals } = parsed;

const sub = positionals[0];
if (!sub || positionals.length > 1) usage();
let ttlSeconds: number | undefined;
if (values.ttl !== undefined) {
  ttlSeconds = /^\d+$/.test(values.ttl) ? Number(values.ttl) : NaN;
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0) usage(`--ttl: a whole number of seconds above 0, got "${values.ttl}"`);
}
const dataDir = process.env.DATA_DIR ?? '.data';
try {
  const token = mintDevToken(dataDir, sub, {
    roles: values.roles?.split(',').filter(Boolean),
    email: values.email,
    ttlSeconds,
  });
  process.stdout.write(`${token}\n`);
} catch (err) {
  // The stack keeps its issuer in its own DATA_DIR: say where this looked and how to point it elsewhere.
  const where = `${resolve(dataDir)} (${process.env.DATA_DIR === undefined ? 'DATA_DIR is unset, so .data' : `DATA_DIR=${process.env.DATA_DIR}`})`;
  console.error(
    existsSync(join(dataDir, 'dev-issuer.json'))
      ? (err as Error).message
      : `No dev issuer in ${where}.\n` +
          `If a local stack is running, it was started with another DATA_DIR: run DATA_DIR=<that dir> npm run -s token -- ${sub}\n` +
          '(its start banner prints this line with the directory filled in). Otherwise start one first: npm start',
  );
  process.exit(1);
}
