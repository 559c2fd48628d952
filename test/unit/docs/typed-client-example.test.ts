// The typed client's example (client/example.ts, linked from docs/api.md) compiles with tsc as a user
// would compile it: strict, against the generated types. Its `@ts-expect-error` line also proves a
// numeric parameter refuses a string, and its typed assignment that a JSON post's data is the exchange.
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');

describe('client/example.ts', () => {
  it('compiles with no diagnostics under strict settings', { timeout: 90_000 }, () => {
    const program = ts.createProgram([join(ROOT, 'client/example.ts')], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts'],
      types: ['node'],
      skipLibCheck: true,
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  });
});
