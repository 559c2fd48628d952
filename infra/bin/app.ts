// CDK app entry: the only place that reads context; cdk-nag checks every synth.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stackConfigFrom } from '../config';
import { ThreadGuardStack } from '../stack';

const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
new ThreadGuardStack(app, 'ThreadGuard', {
  config: stackConfigFrom(app.node),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
app.synth();
