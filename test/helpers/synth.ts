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
      // A deployment must name its issuer and audience (config.ts refuses to synth without them).
      'threadguard:jwtIssuer': 'https://threadguard-test.eu.auth0.com/',
      'threadguard:jwtAudience': 'threadguard',
      ...(opts.context ?? {}),
    },
  });
  // An explicit environment, as infra/bin/app.ts gives every stage (the table's customer-managed key needs a region).
  const stack = new ThreadGuardStack(app, 'ThreadGuardTest', { config: stackConfigFrom(app.node), env: { account: '111122223333', region: 'eu-west-1' } });
  return { app, stack, template: Template.fromStack(stack) };
}
