// Starts one local stack for the whole integration run and hands its URL and DATA_DIR to the tests.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startStackProcess, type StackProcess } from '../helpers/stack-process';

let stack: StackProcess | undefined;
/** Where each test file's contract-check counts land (test/integration/contract-setup.ts). */
let contractDir: string | undefined;

export async function setup(project: TestProject) {
  // The run's own webhook secret, handed to the stack as a developer would set WEBHOOK_TOKEN.
  const webhookToken = randomBytes(32).toString('base64url');
  stack = await startStackProcess({
    CORS_ORIGINS: 'http://localhost:5173,https://app.example.com',
    WEBHOOK_TOKEN: webhookToken,
    // Integrity tests post bursts of messages as one user; the limit itself is tested on its own stack.
    RESPOND_LIMIT_PER_MINUTE: '100',
  });
  project.provide('baseUrl', stack.baseUrl);
  project.provide('webUrl', stack.webUrl);
  project.provide('dataDir', stack.dataDir);
  project.provide('logFile', stack.logFile);
  project.provide('webhookToken', webhookToken);
  contractDir = mkdtempSync(join(tmpdir(), 'threadguard-contract-'));
  project.provide('contractDir', contractDir);
}

export async function teardown() {
  await stack?.stop();
  if (contractDir) {
    printContractCounts(contractDir);
    rmSync(contractDir, { recursive: true, force: true });
  }
}

function printContractCounts(dir: string) {
  let lines: string[] = [];
  try {
    lines = readFileSync(join(dir, 'counts.jsonl'), 'utf8').split('\n').filter(Boolean);
  } catch {
    return; // no integration file ran
  }
  let validated = 0;
  const skipped: Record<string, number> = {};
  for (const line of lines) {
    const c = JSON.parse(line) as { validated: number; skipped: Record<string, number> };
    validated += c.validated;
    for (const [reason, n] of Object.entries(c.skipped)) skipped[reason] = (skipped[reason] ?? 0) + n;
  }
  const notChecked = Object.entries(skipped).map(([reason, n]) => `${n} ${reason}`).join(', ') || 'none';
  console.log(`contract: ${validated} responses validated against docs/openapi.json in ${lines.length} files (not checked: ${notChecked})`);
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    webUrl: string;
    dataDir: string;
    logFile: string;
    webhookToken: string;
    contractDir: string;
  }
}
