// Starts one local stack for the whole integration run and hands its URL and DATA_DIR to the tests.
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { startStackProcess, type StackProcess } from '../helpers/stack-process';

let stack: StackProcess | undefined;

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
}

export async function teardown() {
  await stack?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    webUrl: string;
    dataDir: string;
    logFile: string;
    webhookToken: string;
  }
}
