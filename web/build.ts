// Builds the web client: one minified ES module, one stylesheet and the page. Used by the local
// stack (served from memory), by the CDK construct (uploaded to S3) and by the benchmark, so what
// is measured and tested is what is deployed. Nothing secret goes in: configuration is read at run
// time from config.json.
import { buildSync } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const WEB_DIR = import.meta.dirname;

const WEB_TARGETS = ['chrome120', 'firefox121', 'safari17'];

/** File name (as served) → contents. */
export type WebFiles = ReadonlyMap<string, Buffer>;

export function buildWebClient(): WebFiles {
  const result = buildSync({
    entryPoints: { app: join(WEB_DIR, 'src/main.ts'), 'app-style': join(WEB_DIR, 'src/app.css') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: WEB_TARGETS,
    outdir: '/out',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const files = new Map<string, Buffer>();
  for (const file of result.outputFiles) {
    const name = file.path.split('/').pop()!.replace('app-style.css', 'app.css');
    files.set(name, Buffer.from(file.contents));
  }
  files.set('index.html', readFileSync(join(WEB_DIR, 'index.html')));
  return files;
}

/** Writes the built client into `dir` (the CDK asset). */
export function writeWebClient(dir: string, files: WebFiles = buildWebClient()): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, contents] of files) writeFileSync(join(dir, name), contents);
  return dir;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
};
export const contentTypeOf = (name: string): string => CONTENT_TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream';
