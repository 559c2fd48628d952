// `npm run bench`: prints the figures the README and issues ask for. Not a test: nothing here fails CI.
import { cpus } from 'node:os';
import { benchAuthorizer } from './authorizer';
import { Report } from './report';
import { benchThreads } from './threads';

const report = new Report();
console.log(`ThreadGuard benchmarks on ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
await benchAuthorizer(report);
report.print();
await benchThreads();
process.exit(0);
