// Test output stays quiet: the functions' JSON log lines (Powertools writes them straight to stdout)
// are held back while a test runs and printed only if that test fails, where they help.
import { beforeEach } from 'vitest';

const write = process.stdout.write.bind(process.stdout);
let held: string[] = [];

process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  if (text.startsWith('{"')) {
    held.push(text);
    return true;
  }
  return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stdout.write;

beforeEach(({ onTestFailed }) => {
  held = [];
  onTestFailed(() => {
    for (const line of held) write(line);
  });
});
