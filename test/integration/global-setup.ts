// Starts one local stack for the whole integration run and hands its URL and DATA_DIR to the tests.
import type { TestProject } from 'vitest/node';
import { startStackProcess, type StackProcess } from '../helpers/stack-process';

let stack: StackProcess | undefined;

export async function setup(project: TestProject) {
  stack = await startStackProcess({ CORS_ORIGINS: 'http://localhost:5173,https://app.example.com' });
  project.provide('baseUrl', stack.baseUrl);
  project.provide('dataDir', stack.dataDir);
  project.provide('logFile', stack.logFile);
}

export async function teardown() {
  await stack?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    dataDir: string;
    logFile: string;
  }
}
