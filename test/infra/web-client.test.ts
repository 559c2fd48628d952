// The optional web client: a private bucket behind CloudFront with origin access control, the
// client's CSP and security headers, config.json from the API's own URLs, its origin on the API's
// CORS allow-list, and a clean cdk-nag run. Off unless `threadguard:webClient` is set.
import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { synth } from '../helpers/synth';

const WEB = {
  'threadguard:webClient': 'true',
  'threadguard:jwtIssuer': 'https://sso.acme-corp.io/realms/tg',
  'threadguard:webOidcClientId': 'threadguard-web',
  'threadguard:webOidcAudience': 'threadguard',
};

/** A template value (a string or an Fn::Join of strings and refs) as one comparable string. */
const flat = (v: unknown): string => JSON.stringify(v);

describe('web client construct', () => {
  const { app, stack, template } = synth({ context: WEB });
  const distributionId = Object.keys(template.findResources('AWS::CloudFront::Distribution'))[0]!;
  const domain = { 'Fn::GetAtt': [distributionId, 'DomainName'] };

  it('is off by default', () => {
    const { template: plain } = synth();
    plain.resourceCountIs('AWS::CloudFront::Distribution', 0);
    // The only bucket without it is the audit archive (test/infra/operations.test.ts).
    expect(Object.keys(plain.findResources('AWS::S3::Bucket')).filter((id) => !id.startsWith('AuditTrailArchive'))).toEqual([]);
  });

  it('keeps the bucket private: all public access blocked, TLS only, readable only by this distribution', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: Match.anyValue(),
    });
    const [policy] = Object.values(template.findResources('AWS::S3::BucketPolicy')) as { Properties: { PolicyDocument: { Statement: any[] } } }[];
    const statements = policy!.Properties.PolicyDocument.Statement;
    expect(statements.filter((s) => s.Effect === 'Allow').map((s) => s.Principal)).toEqual([{ Service: 'cloudfront.amazonaws.com' }]);
    expect(flat(statements.find((s) => s.Effect === 'Allow').Condition)).toContain(distributionId);
    expect(statements.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false')).toBe(true);
  });

  it('serves through CloudFront with origin access control (not a legacy identity), HTTPS only', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'], ResponseHeadersPolicyId: Match.anyValue() }),
        Origins: [Match.objectLike({ OriginAccessControlId: Match.anyValue(), S3OriginConfig: { OriginAccessIdentity: '' } })],
      }),
    });
  });

  it('sends a CSP that lets the page connect only to itself, the REST API, the WebSocket API and the issuer', () => {
    const [policy] = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy')) as { Properties: any }[];
    const headers = policy!.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = flat(headers.ContentSecurityPolicy.ContentSecurityPolicy);
    const restApi = Object.keys(template.findResources('AWS::ApiGateway::RestApi'))[0]!;
    const wsApi = Object.keys(template.findResources('AWS::ApiGatewayV2::Api'))[0]!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(new RegExp(`connect-src 'self' https://",\\{"Ref":"${restApi}"\\},".execute-api.*wss://",\\{"Ref":"${wsApi}"\\},".execute-api.* https://sso.acme-corp.io; `));
    expect(csp).not.toMatch(/unsafe|\*/);
    expect(headers.ContentSecurityPolicy.Override).toBe(true);
    expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(headers.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    expect(headers.StrictTransportSecurity).toMatchObject({ IncludeSubdomains: true, Override: true });
  });

  it('writes config.json from the API URLs and the OIDC settings, with no secret in it', () => {
    const [deployment] = Object.values(template.findResources('Custom::CDKBucketDeployment')) as { Properties: any }[];
    const markers = flat(deployment!.Properties.SourceMarkers);
    expect(markers).toContain('RestApiDeploymentStageprod');
    expect(markers).toContain('WebSocketApi');
    expect(deployment!.Properties.DistributionPaths).toEqual(['/*']);
    // The bundle is built from web/ and carries nothing secret: no key, token or password field.
    expect(flat(template.toJSON())).not.toMatch(/client_secret|clientSecret/i);
  });

  it("adds the distribution's origin to the API's CORS allow-list: functions and preflights", () => {
    const withDomain = (v: unknown) => flat(v).includes(flat(domain));
    const fns = Object.values(template.findResources('AWS::Lambda::Function')) as { Properties: any }[];
    const cors = fns.map((f) => f.Properties.Environment?.Variables?.CORS_ORIGINS).filter(Boolean);
    expect(cors.length).toBeGreaterThan(5);
    for (const c of cors) {
      expect(withDomain(c)).toBe(true);
      expect(flat(c)).toContain('https://app.example.com');
    }
    const preflights = Object.values(template.findResources('AWS::ApiGateway::Method')).filter((m: any) => m.Properties.HttpMethod === 'OPTIONS') as { Properties: any }[];
    expect(preflights.length).toBeGreaterThan(5);
    for (const p of preflights) expect(withDomain(p.Properties.Integration.IntegrationResponses), 'preflight').toBe(true);
  });

  it('outputs the web client URL', () => {
    template.hasOutput('WebClientUrl', { Value: Match.anyValue() });
  });

  it('refuses a connect origin that is not a bare origin', () => {
    expect(() => synth({ context: { ...WEB, 'threadguard:webConnectOrigins': "https://x.example.com; script-src 'unsafe-inline'" } })).toThrow(/webConnectOrigins/);
  });

  it('passes cdk-nag AwsSolutions checks (acknowledgements carry reasons)', () => {
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(',')}`)).toEqual([]);
  });
});

describe('web client names', () => {
  it('qualifies the account-global CloudFront names by stack (stage) and region', () => {
    const { template } = synth({ context: WEB });
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', { ResponseHeadersPolicyConfig: Match.objectLike({ Name: 'ThreadGuardTest-eu-west-1-web-headers' }) });
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', { OriginAccessControlConfig: Match.objectLike({ Name: 'ThreadGuardTest-eu-west-1-web' }) });
  });
});
