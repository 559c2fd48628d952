// Every integration test's responses from a local stack go through the contract check
// (test/helpers/contract.ts): fetch is wrapped here; the SSE helper (node:http) calls `observeResponse`. A
// mismatch fails the test that received it; the run's count is printed by global-setup.ts.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, inject } from 'vitest';
import { contractCounts, noteSkipped, observeResponse, takeProblems } from '../helpers/contract';
import { isLocalStack, registerLocalStack } from '../helpers/stack-process';

const pending = new Set<Promise<void>>();

/** Reads a clone's body to the end; a body the test abandoned midway is checked as far as it came. */
async function readAll(res: Response): Promise<{ text: string; complete: boolean }> {
  if (!res.body) return { text: '', complete: true };
  const decoder = new TextDecoder();
  const reader = res.body.getReader();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text: text + decoder.decode(), complete: true };
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    return { text, complete: false };
  }
}

registerLocalStack(inject('baseUrl'));

const realFetch = globalThis.fetch;
globalThis.fetch = async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
  const res = await realFetch(input, init);
  const url = input instanceof Request ? input.url : String(input);
  if (!isLocalStack(url)) return res;
  const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
  const copy = res.clone();
  const check = readAll(copy).then(({ text, complete }) => {
    if (!complete && copy.headers.get('content-type')?.startsWith('text/event-stream') !== true) {
      noteSkipped('body not read to the end');
      return;
    }
    // An SSE stream the test cancelled is checked up to its last whole event.
    const body = complete ? text : text.slice(0, text.lastIndexOf('\n\n') + 2);
    observeResponse({ method, url: res.url || url, status: res.status, headers: res.headers, body });
  });
  pending.add(check);
  void check.finally(() => pending.delete(check));
  return res;
};

afterEach(async () => {
  // Bodies still streaming when the test ended get a few seconds to finish.
  await Promise.race([Promise.allSettled([...pending]), new Promise((r) => setTimeout(r, 5_000).unref())]);
  const found = takeProblems();
  if (found.length > 0) throw new Error(`responses that do not match docs/openapi.json:\n${found.join('\n')}`);
});

afterAll(() => {
  appendFileSync(join(inject('contractDir'), 'counts.jsonl'), `${JSON.stringify(contractCounts())}\n`);
});
