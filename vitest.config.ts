// Three projects: unit (no network beyond loopback test servers), integration (the local stack over
// real HTTP, started once per run), infra (CDK template assertions and cdk-nag).
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Files named `zz-*.test.ts` run after all others: they inspect what the whole run left behind. */
class LastFilesLastSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isLast = (f: TestSpecification) => /(^|\/)zz-[^/]*\.test\.ts$/.test(f.moduleId);
    return [...sorted.filter((f) => !isLast(f)), ...sorted.filter(isLast)];
  }
}

export default defineConfig({
  test: {
    // One shared local stack and two cores: files run one at a time, so no test races another's load.
    fileParallelism: false,
    sequence: { sequencer: LastFilesLastSequencer },
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], setupFiles: ['test/helpers/quiet-logs.ts'], testTimeout: 20_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          // Every response the tests receive is checked against docs/openapi.json.
          setupFiles: ['test/integration/contract-setup.ts', 'test/helpers/quiet-logs.ts'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
      { test: { name: 'infra', include: ['test/infra/**/*.test.ts'], setupFiles: ['test/helpers/quiet-logs.ts'], testTimeout: 180_000, hookTimeout: 180_000 } },
    ],
  },
});
