// The web client, deployed: a private S3 bucket read only by CloudFront through origin access
// control, served over HTTPS with the same security headers and CSP as the local stack's web
// server (web/csp.ts). config.json is written at deploy time from the API's URLs and the OIDC
// settings; none of it is secret (a PKCE public client has no client secret).
import { Aws, CfnElement, DefaultStackSynthesizer, Duration, Fn, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  S3OriginAccessControl,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeWebClient } from '../../web/build';
import { HSTS_MAX_AGE_SECONDS } from '../../functions/shared/core/security-headers';
import { webContentSecurityPolicy } from '../../web/csp';
import type { ClientConfig } from '../../web/src/config';

export interface WebClientProps {
  /** The REST stage URL (config.json) and origin (CSP). */
  readonly apiUrl: string;
  readonly apiOrigin: string;
  readonly wsUrl: string;
  readonly wsOrigin: string;
  readonly oidc: Extract<ClientConfig['auth'], { mode: 'oidc' }>;
  /** More `connect-src` origins, e.g. an issuer whose token endpoint is on another host. */
  readonly extraConnectOrigins?: readonly string[];
}

export class WebClient extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** `https://<distribution domain>`: goes on the API's CORS allow-list. */
  readonly origin: string;

  constructor(scope: Construct, id: string, props: WebClientProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFormation cannot delete a bucket that still holds files; an operator empties it.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const csp = webContentSecurityPolicy([props.apiOrigin, props.wsOrigin, new URL(props.oidc.issuer).origin, ...(props.extraConnectOrigins ?? [])]);
    // Both names are account-global: qualified by stack (stage) and region, so two stages or
    // regions in one account never collide.
    const globalName = (what: string) => `${Stack.of(this).stackName}-${Stack.of(this).region}-${what}`;
    const headers = new ResponseHeadersPolicy(this, 'Headers', {
      responseHeadersPolicyName: globalName('web-headers'),
      comment: 'ThreadGuard web client: CSP (API and issuer only) and security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.seconds(HSTS_MAX_AGE_SECONDS), includeSubdomains: true, preload: true, override: true },
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'ThreadGuard web client',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket, {
          originAccessControl: new S3OriginAccessControl(this, 'OriginAccess', { originAccessControlName: globalName('web') }),
        }),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        responseHeadersPolicy: headers,
      },
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;

    const config: ClientConfig = { apiUrl: props.apiUrl, wsUrl: props.wsUrl, auth: props.oidc };
    new BucketDeployment(this, 'Deploy', {
      sources: [Source.asset(writeWebClient(mkdtempSync(join(tmpdir(), 'threadguard-web-')))), Source.jsonData('config.json', config)],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 256,
    });

    // BucketDeployment's copy function is one CDK singleton per stack, created next to the stack's
    // other constructs; its findings are about that function, which runs only during deployments.
    const stack = Stack.of(this);
    const placeholder = (value: string, name: string) => (Token.isUnresolved(value) ? `<AWS::${name}>` : value);
    const assets = `arn:<AWS::Partition>:s3:::cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-${placeholder(stack.account, 'AccountId')}-${placeholder(stack.region, 'Region')}/*`;
    const bucketArn = `<${stack.getLogicalId(this.bucket.node.defaultChild as CfnElement)}.Arn>/*`;
    for (const child of stack.node.children.filter((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'))) {
      Validations.of(child).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'The CDK BucketDeployment function logs through the AWS-managed basic execution role, as CDK creates it.',
      });
      const grants = 'CDK grants the deployment function read on its asset objects, write on this one bucket and CloudFront invalidation (which takes no resource ARN)';
      for (const finding of ['Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*', 'Action::s3:DeleteObject*', 'Action::s3:Abort*', `Resource::${assets}`, `Resource::${bucketArn}`, 'Resource::*']) {
        Validations.of(child).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: `${grants}; it runs only during deployments.` });
      }
      Validations.of(child).acknowledge({
        id: 'AwsSolutions-L1',
        reason: 'The runtime of the deployment function is chosen by aws-cdk-lib and moves with its upgrades.',
      });
    }
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'The bucket holds the public, static client files only; no user data. Requests reach it only through CloudFront.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'The client is for every country the API serves; the API itself decides who may use it.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason: 'Static files only; the API behind it has stage throttling and per-user rate limits. Operators may add a WAF web ACL.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR3',
      reason: 'Static, public files with no per-user data; requests that matter are logged and audited by the API.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason: 'The default *.cloudfront.net certificate lets viewers negotiate TLSv1; TLSv1.2_2021 applies as soon as a custom domain and certificate are added.',
    });
  }
}

/** `https://<id>.execute-api.<region>.<suffix>` of an API id, for the CSP. */
export const executeApiOrigin = (scheme: 'https' | 'wss', apiId: string): string =>
  Fn.join('', [`${scheme}://`, apiId, '.execute-api.', Aws.REGION, '.', Aws.URL_SUFFIX]);
