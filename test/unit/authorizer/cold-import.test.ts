// The edge authorizer runs on every request, so its cold start matters: the AWS SDK must load only
// when a key is looked up (a dynamic import), never when the bundle is imported. A static import
// costs about 60 ms per cold start (`npm run bench` measures the import time).
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { BUNDLING } from '../../../infra/routes';

describe('authorizer bundle', () => {
  it.each(['authorizer', 'ws-authorizer'])('%s loads the AWS SDK only on first use', async (name) => {
    const entry = join(import.meta.dirname, `../../../functions/${name}/handler.ts`);
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      outdir: 'out',
      metafile: true,
      format: BUNDLING.format,
      platform: BUNDLING.platform,
      target: BUNDLING.target,
      external: [...BUNDLING.external],
      logLevel: 'silent',
    });
    const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports);
    const sdk = imports.filter((i) => i.external && i.path.startsWith('@aws-sdk/'));
    expect(sdk.length, 'the SDK is reached at all').toBeGreaterThan(0);
    expect(sdk.filter((i) => i.kind !== 'dynamic-import').map((i) => i.path)).toEqual([]);
  });
});
