// Who may call the local IAM wall: the functions' static execution-role credentials and the
// short-lived sessions the local STS issues, each with the policies that bound it.
import { createHash } from 'node:crypto';
import type { PolicyDocument, PolicySet } from './iam-evaluator';

/** A caller the enforcing endpoints know, found by its access key id. */
export interface Principal {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Only sessions have one; a request must carry exactly this token. */
  readonly sessionToken?: string;
  /** Epoch ms after which the credentials are refused (sessions only). */
  readonly expiresAt?: number;
  /** The role the credentials act as, `arn:aws:iam::<acct>:role/<name>`. */
  readonly roleArn: string;
  /** `arn:aws:sts::<acct>:assumed-role/<role name>/<session name>`, as AWS names it in denials. */
  readonly principalArn: string;
  /** `aws:userid` for an assumed role: `<role id>:<session name>`. */
  readonly userId: string;
  /** Session tags (`aws:PrincipalTag/<key>`). */
  readonly tags: Readonly<Record<string, string>>;
  readonly policies: PolicySet;
}

/** A function's own (execution role) credentials, from configuration. */
export interface ExecutionPrincipalConfig {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly roleArn: string;
  readonly policies: readonly PolicyDocument[];
  /** The session name AWS would show (Lambda uses the function name). @default the role name */
  readonly sessionName?: string;
}

export interface RoleConfig {
  /** The role's identity policies (what the CDK stack synthesizes for it). */
  readonly policies: readonly PolicyDocument[];
  /** Role ARNs whose principals may assume this role (the trust policy, simplified). */
  readonly trustedBy: readonly string[];
  /** @default 3600 */
  readonly maxSessionDurationSeconds?: number;
}

/** Everything the local IAM wall enforces: plain data, so the policies can come from the synthesized template. */
export interface TenantIsolationConfig {
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  readonly principals: readonly ExecutionPrincipalConfig[];
  readonly roles: Readonly<Record<string, RoleConfig>>;
}

export const roleNameOf = (roleArn: string): string => roleArn.slice(roleArn.lastIndexOf('/') + 1);
const accountOf = (roleArn: string): string => roleArn.split(':')[4] ?? '';

/** A stable role id (`AROA…`, as AWS shows in `aws:userid`) derived from the ARN. */
export const roleIdOf = (roleArn: string): string =>
  `AROA${createHash('sha256').update(roleArn).digest('hex').slice(0, 17).toUpperCase()}`;

export const assumedRoleArn = (roleArn: string, sessionName: string): string =>
  `arn:aws:sts::${accountOf(roleArn)}:assumed-role/${roleNameOf(roleArn)}/${sessionName}`;

export function executionPrincipal(p: ExecutionPrincipalConfig): Principal {
  const sessionName = p.sessionName ?? roleNameOf(p.roleArn);
  return {
    accessKeyId: p.accessKeyId,
    secretAccessKey: p.secretAccessKey,
    roleArn: p.roleArn,
    principalArn: assumedRoleArn(p.roleArn, sessionName),
    userId: `${roleIdOf(p.roleArn)}:${sessionName}`,
    tags: {},
    policies: { identityPolicies: p.policies },
  };
}

/** The credentials both endpoints accept: static ones from configuration plus those STS issued. */
export class PrincipalRegistry {
  readonly #byKey = new Map<string, Principal>();

  constructor(statics: readonly ExecutionPrincipalConfig[]) {
    for (const p of statics) this.add(executionPrincipal(p));
  }

  add(p: Principal): void {
    this.#byKey.set(p.accessKeyId, p);
  }

  find(accessKeyId: string): Principal | undefined {
    return this.#byKey.get(accessKeyId);
  }

  /** Forgets sessions that expired before `now` (keeps the map small in a long `npm start`). */
  sweep(now: number): void {
    for (const [k, p] of this.#byKey) if (p.expiresAt !== undefined && p.expiresAt < now - 3_600_000) this.#byKey.delete(k);
  }
}
