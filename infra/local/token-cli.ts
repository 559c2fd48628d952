// `npm run token -- alice [--roles admin,guest] [--email a@example.com] [--ttl 3600]`: prints a dev token.
import { parseArgs } from 'node:util';
import { mintDevToken } from './dev-issuer';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    roles: { type: 'string' },
    email: { type: 'string' },
    ttl: { type: 'string' },
  },
});

const sub = positionals[0];
if (!sub) {
  console.error('usage: npm run token -- <user> [--roles admin,guest] [--email x@y] [--ttl seconds]');
  process.exit(2);
}
try {
  const token = mintDevToken(process.env.DATA_DIR ?? '.data', sub, {
    roles: values.roles?.split(',').filter(Boolean),
    email: values.email,
    ttlSeconds: values.ttl ? Number(values.ttl) : undefined,
  });
  process.stdout.write(`${token}\n`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
