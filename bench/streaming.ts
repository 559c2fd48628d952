// Streamed replies on the local stack: time to first text delta and total time, over SSE
// (POST /threads/{id}/messages) and over the WebSocket API (sendMessage).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import WebSocket from 'ws';
import { mintDevToken } from '../infra/local/dev-issuer';
import { benchStack } from './bench-stack';
import { percentile as pct, type Report } from './report';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const CONTENT = 'add a task to review the quarterly report next friday';


function sseOnce(url: string, token: string): Promise<{ first: number; total: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = 0;
    const body = JSON.stringify({ content: CONTENT });
    const req = request(url, { method: 'POST', headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream', 'Content-Type': 'application/json' } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (!first && c.includes('"text.delta"')) first = performance.now() - t0;
      });
      res.on('end', () => resolve({ first, total: performance.now() - t0 }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function wsOnce(ws: WebSocket, threadId: string): Promise<{ first: number; total: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let first = 0;
    const onMessage = (data: WebSocket.RawData) => {
      const frame = JSON.parse(data.toString());
      if (!first && frame.type === 'text.delta') first = performance.now() - t0;
      if (frame.type === 'item.done' || frame.type === 'error') {
        ws.off('message', onMessage);
        resolve({ first, total: performance.now() - t0 });
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ action: 'sendMessage', threadId, content: CONTENT }));
  });
}

export async function benchStreaming(report: Report): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadguard-bench-stream-'));
  const stack = await benchStack(dataDir);
  try {
    const token = mintDevToken(dataDir, `stream-${Date.now()}`);
    const thread = (await (
      await fetch(`${stack.url}/threads`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{}' })
    ).json()) as { id: string };
    const url = `${stack.url}/threads/${thread.id}/messages`;
    await sseOnce(url, token); // warm the function
    const sse = [];
    for (let i = 0; i < ROUNDS; i++) sse.push(await sseOnce(url, token));
    const ws = new WebSocket(`${stack.wsUrl}?token=${token}`);
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    await wsOnce(ws, thread.id);
    const wsRuns = [];
    for (let i = 0; i < ROUNDS; i++) wsRuns.push(await wsOnce(ws, thread.id));
    ws.close();
    const section = `streamed replies (local stack, ${ROUNDS} rounds)`;
    for (const [name, runs] of [['SSE', sse], ['WebSocket', wsRuns]] as const) {
      report.add(section, `${name}: time to first delta p50`, pct(runs.map((r) => r.first), 50), 'ms');
      report.add(section, `${name}: time to first delta p95`, pct(runs.map((r) => r.first), 95), 'ms');
      report.add(section, `${name}: total p50`, pct(runs.map((r) => r.total), 50), 'ms');
      report.add(section, `${name}: total p95`, pct(runs.map((r) => r.total), 95), 'ms');
    }
  } finally {
    await stack.stop();
  }
}
