// Test output stays quiet: the functions' JSON log lines (Powertools writes them straight to stdout
// and stderr) are held back while a test runs and printed only if that test fails, where they help.
import { beforeEach } from 'vitest';

type Write = (...args: unknown[]) => boolean;
let held: { write: Write; text: string }[] = [];

for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as Write;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.startsWith('{"')) {
      held.push({ write, text });
      return true;
    }
    return write(chunk, ...rest);
  }) as typeof stream.write;
}

beforeEach(({ onTestFailed }) => {
  held = [];
  onTestFailed(() => {
    for (const { write, text } of held) write(text);
  });
});
