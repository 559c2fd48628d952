// The web client's size as deployed (web/build.ts: minified, as the CDK construct uploads it).
// The time to the first streamed delta is measured in the browser by
// test/integration/web-client.test.ts, which prints it.
import { gzipSync } from 'node:zlib';
import { buildWebClient } from '../web/build';
import type { Report } from './report';

export function benchWebClient(report: Report): void {
  const files = buildWebClient();
  const js = files.get('app.js')!;
  const css = files.get('app.css')!;
  const kb = (b: Buffer) => b.length / 1024;
  report.add('web client', 'app.js, minified (goal <= 100)', kb(js), 'KB', kb(js) <= 100);
  report.add('web client', 'app.js, minified + gzip', kb(gzipSync(js)), 'KB');
  report.add('web client', 'app.css (minified) + index.html', kb(css) + kb(files.get('index.html')!), 'KB');
}
