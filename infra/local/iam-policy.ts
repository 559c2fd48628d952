// Evaluates an authorizer's IAM policy against a method ARN, as API Gateway does: an explicit Deny
// wins, otherwise an Allow must match; `*` and `?` are wildcards in Action and Resource.
import type { PolicyDocument, Statement } from 'aws-lambda';

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function wildcardMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(value);
}

function matches(statement: Statement, methodArn: string): boolean {
  const s = statement as unknown as { Action?: string | string[]; Resource?: string | string[] };
  const actionOk = asArray(s.Action).some((a) => wildcardMatch(a, 'execute-api:Invoke'));
  const resourceOk = asArray(s.Resource).some((r) => wildcardMatch(r, methodArn));
  return actionOk && resourceOk;
}

export function isAllowed(policy: PolicyDocument | undefined, methodArn: string): boolean {
  const statements = asArray(policy?.Statement);
  if (statements.some((s) => s.Effect === 'Deny' && matches(s, methodArn))) return false;
  return statements.some((s) => s.Effect === 'Allow' && matches(s, methodArn));
}
