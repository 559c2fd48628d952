// GET /me/export of a large account: the local stack runs in a child process (the exporting
// process), an account of EXPORT_THREADS threads of EXPORT_ITEMS items each is written straight into
// its table (sealed under the account's own key, exactly as the stores write it), then one export
// is read to its end. Reports the time, the document's size, and the exporting process's resident
// memory before and at its peak (Linux /proc; sampled every 50 ms and the kernel's high-water mark).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../functions/shared/adapters/dynamo-client';
import { envelopeCipher } from '../functions/shared/adapters/envelope-cipher';
import { kmsKeySource } from '../functions/shared/adapters/kek-source';
import { createKmsClient } from '../functions/shared/adapters/kms-client';
import { tenantIdOf } from '../functions/shared/adapters/tenant-id';
import { userIdFor } from '../functions/shared/adapters/node-crypto';
import { keys } from '../functions/shared/core/keys';
import { systemClock } from '../functions/shared/core/ports';
import { mintDevToken, readDevIssuer } from '../infra/local/dev-issuer';
import { startStackProcess } from '../test/helpers/stack-process';
import type { Report } from './report';

const THREADS = Number(process.env.EXPORT_THREADS ?? 10_000);
const ITEMS = Number(process.env.EXPORT_ITEMS ?? 10);
/** About the size of a chat message. */
const CONTENT = 'The quarterly numbers are in; can you draft a two-line summary for the team channel? '.repeat(3);

/** Resident and peak resident memory of a process, in MB (Linux). */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** Runs `tasks` with at most `width` in flight. */
async function pool<T>(items: readonly T[], width: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await run(items[next++]!);
  }));
}

export async function benchAccountExport(report: Report): Promise<void> {
  const section = `GET /me/export of ${THREADS.toLocaleString('en')} threads x ${ITEMS} items`;
  const stack = await startStackProcess({ RATE_LIMIT_PER_MINUTE: '1000000', POWERTOOLS_LOG_LEVEL: 'WARN' });
  try {
    const info = JSON.parse(readFileSync(join(stack.dataDir, 'local-stack.json'), 'utf8')) as {
      pid: number;
      dynamodbEndpoint: string;
      tables: { main: string };
      kms: { endpoint: string; keyId: string };
    };
    const sub = `exporter-${Date.now()}`;
    const token = mintDevToken(stack.dataDir, sub);
    const userId = userIdFor(readDevIssuer(stack.dataDir).issuer, sub);
    const auth = { Authorization: `Bearer ${token}` };
    // The first thread through the API creates the account's content key.
    const created = await fetch(`${stack.baseUrl}/threads`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{"title":"through the API"}' });
    if (created.status !== 201) throw new Error(`thread create: ${created.status}`);

    // Seed: rows as the thread store writes them, content sealed under the account's key.
    const tableName = info.tables.main;
    const doc = createDocumentClient({ tableName, endpoint: info.dynamodbEndpoint });
    const keks = kmsKeySource({ kms: createKmsClient(info.kms.endpoint), keyId: info.kms.keyId, client: doc, tableName, clock: systemClock });
    const c = envelopeCipher({ clientFor: () => doc, tableName, keks, clock: systemClock }).forUser(userId);
    const PK = keys.userPk(tenantIdOf(userId));
    const t0 = Date.now();
    let [sealMs, writeMs] = [0, 0];
    const base = Date.parse('2026-01-01T00:00:00Z');
    await pool(
      Array.from({ length: THREADS }, (_, i) => i),
      16,
      async (i) => {
        const id = `01EXPORT${String(i).padStart(18, '0')}`;
        const at = new Date(base + i * 1000).toISOString();
        const SK = keys.threadSk(id);
        const s0 = performance.now();
        const [title, metadata] = await Promise.all([c.seal(SK, 'title', `thread ${i}`), c.seal(SK, 'metadata', '{}')]);
        const rows: Record<string, unknown>[] = [{ PK, SK, type: 'thread', id, title, metadata, createdAt: at, updatedAt: at }];
        rows.push(
          ...(await Promise.all(
            Array.from({ length: ITEMS }, async (_, j) => {
              const itemId = `01ITEM${String(j).padStart(20, '0')}`;
              const itemSk = keys.itemSk(id, itemId);
              return { PK, SK: itemSk, type: 'item', id: itemId, threadId: id, itemType: j % 2 ? 'assistant_message' : 'user_message', content: await c.seal(itemSk, 'content', CONTENT), createdAt: at };
            }),
          )),
        );
        sealMs += performance.now() - s0;
        const w0 = performance.now();
        for (let k = 0; k < rows.length; k += 25) {
          let batch: Record<string, unknown>[] = rows.slice(k, k + 25).map((Item) => ({ PutRequest: { Item } }));
          while (batch.length > 0) {
            const res = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: batch as never } }));
            batch = (res.UnprocessedItems?.[tableName] ?? []) as Record<string, unknown>[];
          }
        }
        writeMs += performance.now() - w0;
      },
    );
    console.log(`seeded ${THREADS} threads x ${ITEMS} items in ${((Date.now() - t0) / 1000).toFixed(0)} s (sealing ${(sealMs / 1000).toFixed(0)} s, writing ${(writeMs / 1000).toFixed(0)} s, summed over 16 workers)`);

    // Warm the function (its cold start is not the export's), then export to the end, reading as it comes.
    const warm = await fetch(`${stack.baseUrl}/me/export`, { headers: { Authorization: `Bearer ${mintDevToken(stack.dataDir, `${sub}-warm`)}` } });
    await warm.text();
    const before = memoryOf(info.pid);
    let peak = before.rss;
    const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(info.pid).rss)), 50);
    const started = performance.now();
    const res = await fetch(`${stack.baseUrl}/me/export`, { headers: auth });
    let firstByteMs = 0;
    let bytes = 0;
    let threads = 0;
    let tail = '';
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (bytes === 0) firstByteMs = performance.now() - started;
      bytes += chunk.length;
      const text = tail + decoder.decode(chunk, { stream: true });
      threads += text.split('"items":[').length - 1 - (tail.split('"items":[').length - 1);
      tail = text.slice(-32);
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const after = memoryOf(info.pid);
    if (res.status !== 200 || !tail.endsWith('"complete":true}') || threads !== THREADS + 1) throw new Error(`export incomplete: ${res.status}, ${threads} threads, ends ${tail}`);
    report.add(section, 'time to first byte', firstByteMs, 'ms');
    report.add(section, 'total time', seconds, 's');
    report.add(section, 'document size', bytes / 1e6, 'MB');
    report.add(section, 'throughput', (THREADS * ITEMS) / seconds, 'items/s');
    report.add(section, 'exporting process RSS before', before.rss, 'MB');
    report.add(section, 'exporting process peak RSS during the export (sampled)', peak, 'MB');
    report.add(section, 'exporting process peak RSS (kernel high-water mark)', Math.max(after.hwm, peak), 'MB');
    report.add(section, 'peak RSS growth over the export', Math.max(after.hwm, peak) - before.rss, 'MB');
  } finally {
    await stack.stop();
  }
}
