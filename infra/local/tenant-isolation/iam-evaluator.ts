// Evaluates IAM identity policies (and a session policy) for one action on one resource, as IAM
// does: an explicit Deny in any policy wins; otherwise the identity policies must allow it and,
// when the session has a session policy, that policy must allow it too (the intersection).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
import { evaluateCondition, likeMatch, substituteVariables, type RequestContext } from './iam-conditions';

type OneOrMany<T> = T | readonly T[];

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: OneOrMany<string>;
  readonly NotAction?: OneOrMany<string>;
  readonly Resource?: OneOrMany<string>;
  readonly NotResource?: OneOrMany<string>;
  readonly Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: OneOrMany<PolicyStatement>;
}

/** What a principal holds: its identity policies and, for a session, the session policy. */
export interface PolicySet {
  readonly identityPolicies: readonly PolicyDocument[];
  readonly sessionPolicy?: PolicyDocument;
}

export interface AuthorizationRequest {
  /** e.g. `dynamodb:GetItem` */
  readonly action: string;
  /** e.g. `arn:aws:dynamodb:eu-west-1:123456789012:table/main` */
  readonly resource: string;
  readonly context: RequestContext;
}

export type Decision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: 'explicit-deny' | 'no-allow'; readonly policyType: 'identity-based' | 'session' };

const many = <T>(v: OneOrMany<T> | undefined): readonly T[] => (v === undefined ? [] : Array.isArray(v) ? (v as readonly T[]) : [v as T]);

// Action names are case-insensitive; resources are not.
const actionMatches = (pattern: string, action: string) => likeMatch(pattern.toLowerCase(), action.toLowerCase());
const resourceMatches = (pattern: string, req: AuthorizationRequest) => {
  const p = substituteVariables(pattern, req.context, true);
  return p !== undefined && likeMatch(p, req.resource);
};

function statementApplies(s: PolicyStatement, req: AuthorizationRequest): boolean {
  const action = s.Action !== undefined ? many(s.Action).some((a) => actionMatches(a, req.action)) : !many(s.NotAction).some((a) => actionMatches(a, req.action));
  if (!action) return false;
  const resource =
    s.Resource !== undefined ? many(s.Resource).some((r) => resourceMatches(r, req)) : !many(s.NotResource).some((r) => resourceMatches(r, req));
  return resource && evaluateCondition(s.Condition, req.context);
}

const statementsOf = (docs: readonly PolicyDocument[]) => docs.flatMap((d) => many(d.Statement));
const denies = (docs: readonly PolicyDocument[], req: AuthorizationRequest) => statementsOf(docs).some((s) => s.Effect === 'Deny' && statementApplies(s, req));
const allows = (docs: readonly PolicyDocument[], req: AuthorizationRequest) => statementsOf(docs).some((s) => s.Effect === 'Allow' && statementApplies(s, req));

/** The decision IAM would reach for `req` under `policies`. */
export function authorize(policies: PolicySet, req: AuthorizationRequest): Decision {
  const session = policies.sessionPolicy ? [policies.sessionPolicy] : [];
  if (denies(policies.identityPolicies, req)) return { allowed: false, reason: 'explicit-deny', policyType: 'identity-based' };
  if (denies(session, req)) return { allowed: false, reason: 'explicit-deny', policyType: 'session' };
  if (!allows(policies.identityPolicies, req)) return { allowed: false, reason: 'no-allow', policyType: 'identity-based' };
  if (policies.sessionPolicy && !allows(session, req)) return { allowed: false, reason: 'no-allow', policyType: 'session' };
  return { allowed: true };
}

/**
 * AWS's denial message, e.g. "User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform:
 * dynamodb:GetItem on resource: arn:… because no identity-based policy allows the dynamodb:GetItem action".
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 */
export function denialMessage(principalArn: string, req: AuthorizationRequest, decision: Exclude<Decision, { allowed: true }>): string {
  const why =
    decision.reason === 'explicit-deny'
      ? `with an explicit deny in ${decision.policyType === 'session' ? 'a session policy' : 'an identity-based policy'}`
      : `because no ${decision.policyType} policy allows the ${req.action} action`;
  return `User: ${principalArn} is not authorized to perform: ${req.action} on resource: ${req.resource} ${why}`;
}
