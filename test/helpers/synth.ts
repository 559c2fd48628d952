// Synthesises the stack for template assertions; bundling is skipped unless asked for.
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { stackConfigFrom } from '../../infra/config';
import { ThreadGuardStack } from '../../infra/stack';

export function synth(opts: { bundle?: boolean; context?: Record<string, unknown> } = {}) {
  const app = new App({
    context: {
      ...(opts.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      'threadguard:corsOrigins': 'https://app.example.com,https://admin.example.com',
      ...(opts.context ?? {}),
    },
  });
  const stack = new ThreadGuardStack(app, 'ThreadGuardTest', { config: stackConfigFrom(app.node) });
  return { app, stack, template: Template.fromStack(stack) };
}
