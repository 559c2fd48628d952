// `npm run bench`: runs each benchmark suite against an in-process local stack and prints a table.
import { benchThreads } from './threads';

await benchThreads();
process.exit(0);
