// A local STS that answers AssumeRole in STS's query protocol (form-encoded POST, XML answer), the
// one the AWS SDK's STSClient speaks. The caller must sign with credentials the wall knows and be
// trusted by the role; the session it gets carries the role's policies, the session tags and the
// session policy, and the DynamoDB endpoint enforces them.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
// https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html (tag rules and limits)
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PolicyDocument } from './iam-evaluator';
import { assumedRoleArn, roleIdOf, type PrincipalRegistry, type RoleConfig } from './principals';
import { received, verifySigV4, type SigV4Failure } from './sigv4-verify';
import { readBody } from './read-body';

export interface StsDeps {
  readonly registry: PrincipalRegistry;
  readonly roles: Readonly<Record<string, RoleConfig>>;
  readonly region: string;
  readonly now: () => number;
}

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const xml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

class StsError extends Error {
  override readonly name = 'StsError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const SIGNATURE_ERRORS: Record<SigV4Failure, StsError> = {
  MissingAuthenticationToken: new StsError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token'),
  IncompleteSignature: new StsError(400, 'IncompleteSignature', 'The request signature does not conform to AWS standards.'),
  UnrecognizedClient: new StsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.'),
  InvalidSignature: new StsError(
    403,
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  ),
  SignatureExpired: new StsError(403, 'SignatureDoesNotMatch', 'Signature expired: the request time is more than 15 minutes from the server time.'),
  ExpiredToken: new StsError(400, 'ExpiredToken', 'The security token included in the request is expired'),
};

// Session tag keys and values: letters, digits, spaces and _.:/=+-@ (values may be empty).
const TAG_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const SESSION_NAME = /^[\w+=,.@-]*$/;
const MAX_TAGS = 50;
/** STS limits the packed size of session policy plus tags; this is an estimate against 2,048 characters. */
const PACKED_LIMIT = 2048;

const validation = (value: string, field: string, constraint: string) =>
  new StsError(400, 'ValidationError', `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`);

interface AssumeRoleInput {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly durationSeconds: number;
  readonly tags: readonly { readonly key: string; readonly value: string }[];
  readonly transitiveTagKeys: readonly string[];
  readonly policy?: string;
}

function parseAssumeRole(form: URLSearchParams): AssumeRoleInput {
  const roleArn = form.get('RoleArn');
  const sessionName = form.get('RoleSessionName');
  if (!roleArn) throw validation('null', 'roleArn', 'Member must not be null');
  if (sessionName === null) throw validation('null', 'roleSessionName', 'Member must not be null');
  if (sessionName.length < 2 || sessionName.length > 64) {
    throw validation(sessionName, 'roleSessionName', `Member must have length ${sessionName.length < 2 ? 'greater than or equal to 2' : 'less than or equal to 64'}`);
  }
  if (!SESSION_NAME.test(sessionName)) throw validation(sessionName, 'roleSessionName', 'Member must satisfy regular expression pattern: [\\w+=,.@-]*');
  const rawDuration = form.get('DurationSeconds') ?? '3600';
  const durationSeconds = Number(rawDuration);
  if (!Number.isInteger(durationSeconds) || durationSeconds < 900) {
    throw validation(rawDuration, 'durationSeconds', 'Member must have value greater than or equal to 900');
  }
  if (durationSeconds > 43_200) throw validation(rawDuration, 'durationSeconds', 'Member must have value less than or equal to 43200');

  const tags: { key: string; value: string }[] = [];
  for (let n = 1; form.has(`Tags.member.${n}.Key`); n++) {
    const key = form.get(`Tags.member.${n}.Key`)!;
    const value = form.get(`Tags.member.${n}.Value`) ?? '';
    if (key.length < 1 || key.length > 128 || !TAG_PATTERN.test(key)) {
      throw validation(key, `tags.${n}.member.key`, 'Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+');
    }
    if (value.length > 256) throw validation(value, `tags.${n}.member.value`, 'Member must have length less than or equal to 256');
    if (!TAG_PATTERN.test(value)) {
      throw validation(value, `tags.${n}.member.value`, 'Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*');
    }
    tags.push({ key, value });
  }
  if (tags.length > MAX_TAGS) throw validation(String(tags.length), 'tags', `Member must have length less than or equal to ${MAX_TAGS}`);
  const lowerKeys = tags.map((t) => t.key.toLowerCase());
  if (new Set(lowerKeys).size !== lowerKeys.length) {
    throw new StsError(400, 'InvalidParameterValue', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
  }
  const transitiveTagKeys: string[] = [];
  for (let n = 1; form.has(`TransitiveTagKeys.member.${n}`); n++) transitiveTagKeys.push(form.get(`TransitiveTagKeys.member.${n}`)!);
  if (transitiveTagKeys.some((k) => !lowerKeys.includes(k.toLowerCase()))) {
    throw new StsError(400, 'InvalidParameterValue', 'The specified transitive tag key must be included in the requested tags.');
  }
  const policy = form.get('Policy') ?? undefined;
  if (policy !== undefined && policy.length > 2048) throw validation('...', 'policy', 'Member must have length less than or equal to 2048');
  return { roleArn, sessionName, durationSeconds, tags, transitiveTagKeys, policy };
}

function parsePolicy(text: string): PolicyDocument {
  try {
    const doc = JSON.parse(text) as PolicyDocument;
    if (typeof doc === 'object' && doc !== null && doc.Statement !== undefined) return doc;
  } catch {
    /* falls through to the error below */
  }
  throw new StsError(400, 'MalformedPolicyDocument', 'The policy is not in the valid JSON format.');
}

const credentialsId = (prefix: string, n: number) => prefix + randomBytes(n).toString('base64').replace(/[^A-Z0-9]/gi, '').toUpperCase().slice(0, 16).padEnd(16, 'Q');

async function assumeRole(deps: StsDeps, req: IncomingMessage, body: Buffer): Promise<string> {
  const verified = await verifySigV4(received(req, body), { service: 'sts', region: deps.region, now: deps.now(), find: (k) => deps.registry.find(k) });
  if (!verified.ok) throw SIGNATURE_ERRORS[verified.failure];
  const caller = verified.principal;
  const form = new URLSearchParams(body.toString('utf8'));
  const action = form.get('Action');
  if (action !== 'AssumeRole') throw new StsError(400, 'InvalidAction', `Could not find operation ${action ?? ''} for version ${form.get('Version') ?? ''}`);

  const input = parseAssumeRole(form);
  const role = deps.roles[input.roleArn];
  if (!role || !role.trustedBy.includes(caller.roleArn)) {
    throw new StsError(403, 'AccessDenied', `User: ${caller.principalArn} is not authorized to perform: sts:AssumeRole on resource: ${input.roleArn}`);
  }
  if (input.durationSeconds > (role.maxSessionDurationSeconds ?? 3600)) {
    throw new StsError(400, 'ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
  const sessionPolicy = input.policy === undefined ? undefined : parsePolicy(input.policy);
  const packed = JSON.stringify(sessionPolicy ?? '').length + input.tags.reduce((n, t) => n + t.key.length + t.value.length, 0);
  const packedPercent = Math.ceil((100 * packed) / PACKED_LIMIT);
  if (packedPercent > 100) {
    throw new StsError(400, 'PackedPolicyTooLarge', `Packed policy consumes ${packedPercent}% of allotted space, please use smaller policy.`);
  }

  const expiresAt = Math.floor(deps.now() / 1000) * 1000 + input.durationSeconds * 1000;
  const accessKeyId = credentialsId('ASIA', 16);
  const secretAccessKey = randomBytes(30).toString('base64');
  const sessionToken = randomBytes(96).toString('base64');
  const principalArn = assumedRoleArn(input.roleArn, input.sessionName);
  const userId = `${roleIdOf(input.roleArn)}:${input.sessionName}`;
  deps.registry.add({
    accessKeyId,
    secretAccessKey,
    sessionToken,
    expiresAt,
    roleArn: input.roleArn,
    principalArn,
    userId,
    tags: Object.fromEntries(input.tags.map((t) => [t.key, t.value])),
    policies: { identityPolicies: role.policies, sessionPolicy },
  });
  deps.registry.sweep(deps.now());
  const expiration = new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return (
    `<AssumeRoleResponse xmlns="${NS}"><AssumeRoleResult>` +
    `<AssumedRoleUser><AssumedRoleId>${xml(userId)}</AssumedRoleId><Arn>${xml(principalArn)}</Arn></AssumedRoleUser>` +
    `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>${xml(secretAccessKey)}</SecretAccessKey>` +
    `<SessionToken>${xml(sessionToken)}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
    `<PackedPolicySize>${packedPercent}</PackedPolicySize></AssumeRoleResult>` +
    `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`
  );
}

/** The request handler of the local STS endpoint. */
export const stsHandler =
  (deps: StsDeps) =>
  async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    try {
      const answer = await assumeRole(deps, req, body);
      res.writeHead(200, { 'Content-Type': 'text/xml' }).end(answer);
    } catch (err) {
      const e = err instanceof StsError ? err : new StsError(500, 'InternalFailure', 'The request processing has failed because of an unknown error.');
      const type = e.status >= 500 ? 'Receiver' : 'Sender';
      res
        .writeHead(e.status, { 'Content-Type': 'text/xml' })
        .end(
          `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${e.code}</Code><Message>${xml(e.message)}</Message></Error>` +
            `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
        );
    }
  };
