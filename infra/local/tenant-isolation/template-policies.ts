// Reads the IAM roles of a synthesized CloudFormation template as plain policy documents for the
// local IAM wall, so it enforces the very statements CDK deploys (one source, not a copy): each
// role's inline policies and the AWS::IAM::Policy resources attached to it, with the intrinsic
// functions CDK emits (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, pseudo parameters) resolved to local values.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
import type { PolicyDocument } from './iam-evaluator';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
}
export interface CfnTemplate {
  readonly Resources: Record<string, Resource>;
}

export interface LocalValues {
  readonly region: string;
  readonly accountId: string;
  /** Local values of `Ref` / `Fn::GetAtt` for resources other than roles (e.g. the table's name and ARN). */
  readonly resources: Readonly<Record<string, { readonly Ref?: string; readonly [attribute: string]: string | undefined }>>;
  /**
   * What a reference without a local value becomes: an error, or a placeholder ARN that matches no
   * real resource (for resources the local wall does not guard, such as secrets or log groups).
   * @default 'throw'
   */
  readonly unresolved?: 'throw' | 'placeholder';
}

export interface TemplateRole {
  readonly logicalId: string;
  readonly arn: string;
  readonly policies: PolicyDocument[];
  /** Roles (by ARN) this role's trust policy names as AWS principals. */
  readonly trustedBy: string[];
}

/** Thrown for an intrinsic or reference it cannot resolve locally: better loud than a wrong policy. */
export class UnresolvableTemplateValueError extends Error {
  override readonly name = 'UnresolvableTemplateValueError';
}

/** The local ARN of a role: its logical id as the role name. */
export const localRoleArn = (accountId: string, logicalId: string) => `arn:aws:iam::${accountId}:role/${logicalId}`;

function resolver(template: CfnTemplate, local: LocalValues) {
  const pseudo: Record<string, string> = {
    'AWS::Region': local.region,
    'AWS::AccountId': local.accountId,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const attribute = (id: string, attr: string): string => {
    if (template.Resources[id]?.Type === 'AWS::IAM::Role') {
      if (attr === 'Arn') return localRoleArn(local.accountId, id);
      if (attr === 'Ref') return id;
    }
    const v = local.resources[id]?.[attr];
    if (v !== undefined) return v;
    if (local.unresolved === 'placeholder') return `arn:aws:unresolved:::${id}/${attr}`;
    throw new UnresolvableTemplateValueError(`no local value for ${id}.${attr}`);
  };
  const resolve = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(resolve);
    if (v === null || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [fn] = keys as [string];
      const arg = v[fn]!;
      if (fn === 'Ref') return pseudo[arg as string] ?? attribute(arg as string, 'Ref');
      if (fn === 'Fn::GetAtt') {
        const [id, attr] = Array.isArray(arg) ? (arg as string[]) : String(arg).split(/\.(.+)/);
        return attribute(id!, attr!);
      }
      if (fn === 'Fn::Join') {
        const [sep, parts] = arg as [string, Json[]];
        return (resolve(parts) as Json[]).map(String).join(sep);
      }
      if (fn === 'Fn::Sub') {
        const [text, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, Json>]);
        return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
          if (name in vars) return String(resolve(vars[name]!));
          if (name in pseudo) return pseudo[name]!;
          const [id, attr] = name.split(/\.(.+)/);
          return attribute(id!, attr ?? 'Ref');
        });
      }
      if (fn.startsWith('Fn::')) throw new UnresolvableTemplateValueError(`intrinsic ${fn} is not resolved locally`);
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
  };
  return resolve;
}

const many = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * Every AWS::IAM::Role of the template with its identity policies and trusted roles.
 * @throws UnresolvableTemplateValueError when a policy refers to something `local` does not give
 */
export function rolesFromTemplate(template: CfnTemplate, local: LocalValues): TemplateRole[] {
  const resolve = resolver(template, local);
  const roles = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role');
  const attached = Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy');
  return roles.map(([logicalId, role]) => {
    const inline = many(role.Properties?.Policies as Json[] | undefined).map((p) => (p as { PolicyDocument: Json }).PolicyDocument);
    const mine = attached
      .filter((p) => many(p.Properties?.Roles as Json[] | undefined).some((r) => (r as { Ref?: string }).Ref === logicalId))
      .map((p) => p.Properties!.PolicyDocument!);
    const trust = resolve(role.Properties?.AssumeRolePolicyDocument ?? { Statement: [] }) as { Statement: { Effect: string; Action: Json; Principal?: { AWS?: Json } }[] };
    const trustedBy = many(trust.Statement)
      .filter((s) => s.Effect === 'Allow' && many(s.Action as string | string[]).some((a) => a === 'sts:AssumeRole'))
      .flatMap((s) => many(s.Principal?.AWS as string | string[] | undefined))
      .filter((p) => p.includes(':role/'));
    return { logicalId, arn: localRoleArn(local.accountId, logicalId), policies: [...inline, ...mine].map((d) => resolve(d) as unknown as PolicyDocument), trustedBy };
  });
}
