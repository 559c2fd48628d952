// CDK app entry: the only place that reads context; cdk-nag checks every synth.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stackConfigFrom } from '../config';
import { stackNameFor, ThreadGuardStack } from '../stack';

const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const config = stackConfigFrom(app.node);
// An explicit environment per stage: two stages or regions in one account never share a stack or
// an account-global name, and the table's customer-managed key needs a concrete region.
const region = config.region || process.env.CDK_DEFAULT_REGION;
if (!region) throw new Error('threadguard:region: required (set it in cdk.json, with -c threadguard:region=eu-west-1, or through the AWS CLI profile)');
const name = stackNameFor(config.stage);
new ThreadGuardStack(app, name, {
  config,
  stackName: name,
  env: { account: config.account || process.env.CDK_DEFAULT_ACCOUNT, region },
});
app.synth();
