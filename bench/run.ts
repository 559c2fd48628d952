// `npm run bench`: prints the figures the README and issues ask for. Not a test: nothing here fails CI.
// Suites that start a local stack run in their own process: functions load once per process (their
// cold start) and keep the configuration of the stack they first saw.
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { benchAccountExport } from './account-export';
import { benchAuthorizer } from './authorizer';
import { benchContentCipher } from './content-cipher';
import { benchProviders } from './providers';
import { benchSignOutCheck } from './sign-out-check';
import { Report } from './report';
import { benchReplies } from './replies';
import { benchStreaming } from './streaming';
import { benchTenantCredentials } from './tenant-credentials';
import { benchTenantScale } from './tenant-scale';
import { benchThreads } from './threads';
import { benchWebClient } from './web-client';

const suite = process.argv[2];
if (suite === 'crypto') {
  const report = new Report();
  await benchContentCipher(report);
  report.print();
} else if (suite === 'streaming') {
  const report = new Report();
  await benchStreaming(report);
  report.print();
} else if (suite === 'threads') {
  await benchThreads();
} else if (suite === 'export') {
  const report = new Report();
  await benchAccountExport(report);
  report.print();
} else if (suite === 'replies') {
  const report = new Report();
  await benchReplies(report);
  report.print();
} else if (suite === 'providers') {
  const report = new Report();
  await benchProviders(report);
  report.print();
} else {
  console.log(`ThreadGuard benchmarks on ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
  const report = new Report();
  await benchAuthorizer(report);
  await benchSignOutCheck(report);
  await benchTenantCredentials(report);
  benchTenantScale(report);
  await benchContentCipher(report);
  benchWebClient(report);
  report.print();
  for (const s of ['threads', 'streaming', 'providers', 'replies', 'export']) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, s], {
      stdio: 'inherit',
      // The per-user limits would refuse a benchmark's traffic; it measures the data path.
      // Set before any module loads: the functions' loggers read the level once, at import, and
      // their per-request info lines would drown the tables. The SDK's Node version notice, too.
      env: {
        ...process.env,
        RATE_LIMIT_PER_MINUTE: '1000000',
        RESPOND_LIMIT_PER_MINUTE: '1000000',
        POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
        NODE_NO_WARNINGS: '1',
      },
    });
    if (r.status !== 0) process.exitCode = r.status ?? 1;
  }
}
process.exit(process.exitCode ?? 0);
