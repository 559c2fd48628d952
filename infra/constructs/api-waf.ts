// The optional regional WAF (`threadguard:waf=true`) on the REST stage: AWS's common rule set, and a
// per-IP rate rule on the reply routes, whose every request is a model call.
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface ApiWafProps {
  /** The REST stage's ARN. */
  readonly stageArn: string;
  /** Path endings of the reply routes (`/messages`, `/chatkit`). */
  readonly replyPathSuffixes: readonly string[];
  /** Requests per client IP per 5 minutes on the reply routes before WAF blocks (AWS's minimum is 10). */
  readonly replyRequestsPerIpPer5Min: number;
}

const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

export class ApiWaf extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: ApiWafProps) {
    super(scope, id);
    // Matches the URI path's ending, so it holds with or without the stage prefix.
    const endsWith = (suffix: string): CfnWebACL.StatementProperty => ({
      byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: 'ENDS_WITH',
        searchString: suffix,
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    });
    const replyRoutes: CfnWebACL.StatementProperty =
      props.replyPathSuffixes.length === 1 ? endsWith(props.replyPathSuffixes[0]!) : { orStatement: { statements: props.replyPathSuffixes.map(endsWith) } };
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('ThreadGuardApi'),
      rules: [
        {
          name: 'AWSManagedRulesCommonRuleSet',
          priority: 0,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: 'AWSManagedRulesCommonRuleSet',
              // Its 8 KB body limit would block long messages and ChatKit payloads the API itself
              // bounds (413): counted, not blocked.
              ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }],
            },
          },
          visibilityConfig: visibility('CommonRuleSet'),
        },
        {
          name: 'ReplyRoutesPerIp',
          priority: 1,
          action: { block: {} },
          statement: {
            rateBasedStatement: { limit: props.replyRequestsPerIpPer5Min, aggregateKeyType: 'IP', evaluationWindowSec: 300, scopeDownStatement: replyRoutes },
          },
          visibilityConfig: visibility('ReplyRoutesPerIp'),
        },
      ],
    });
    new CfnWebACLAssociation(this, 'Association', { resourceArn: props.stageArn, webAclArn: this.webAcl.attrArn });
  }
}
