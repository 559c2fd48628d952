// `npm run -s tenant-credentials -- <userId>`: prints, as JSON, the scoped credentials the functions
// would use for that user, from the running local stack's STS (found through DATA_DIR, like `npm run token`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tenantCredentials } from './tenant-credentials';
import type { TenantIsolationInfo } from './tenant-isolation';

const USAGE = 'usage: npm run -s tenant-credentials -- <userId>';

const args = process.argv.slice(2);
if (args.length !== 1 || !args[0] || args[0].startsWith('-')) {
  console.error(USAGE);
  process.exit(2);
}
const dataDir = process.env.DATA_DIR ?? '.data';
let info: TenantIsolationInfo | undefined;
try {
  info = (JSON.parse(readFileSync(join(dataDir, 'local-stack.json'), 'utf8')) as { tenantIsolation?: TenantIsolationInfo }).tenantIsolation;
} catch {
  /* reported below */
}
if (!info?.stsEndpoint) {
  console.error(`No local STS recorded in ${join(dataDir, 'local-stack.json')}: is the local stack (npm start) running with this DATA_DIR?`);
  process.exit(1);
}
try {
  process.stdout.write(`${JSON.stringify(await tenantCredentials(info, args[0]))}\n`);
} catch (err) {
  console.error(`The local STS refused: ${((err as Error).cause as Error | undefined)?.message ?? (err as Error).message}`);
  process.exit(1);
}
