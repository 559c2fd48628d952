// IAM policy variables and condition operators, as IAM evaluates them for the local IAM wall.
// Semantics follow the IAM JSON policy reference:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html

/** The request context: condition keys (any case) to their values; a missing key is absent. */
export type RequestContext = ReadonlyMap<string, readonly string[]>;

/** Builds a context with case-insensitive keys (IAM condition key names are case-insensitive). */
export function requestContext(entries: Record<string, string | readonly string[] | undefined>): RequestContext {
  const ctx = new Map<string, readonly string[]>();
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) ctx.set(k.toLowerCase(), typeof v === 'string' ? [v] : v);
  return ctx;
}

const lookup = (ctx: RequestContext, key: string): readonly string[] | undefined => ctx.get(key.toLowerCase());

/** Thrown when a policy variable has no value and no default: the element it sits in matches nothing. */
class UnresolvedVariable extends Error {
  override readonly name = 'UnresolvedVariable';
}

/**
 * Replaces `${key}` and `${key, 'default'}` with the context value; `${*}`, `${?}`, `${$}` are the
 * literal characters. A variable without a (single) value and without a default makes the
 * enclosing string match nothing, as IAM does ("If there is no value, the condition is false").
 * @returns the substituted string, or undefined when a variable cannot be resolved.
 */
export function substituteVariables(text: string, ctx: RequestContext, escapeWildcards = false): string | undefined {
  try {
    return text.replace(/\$\{([^}]*)\}/g, (_, inner: string) => {
      const trimmed = inner.trim();
      if (trimmed === '*' || trimmed === '?' || trimmed === '$') return escapeWildcards ? `\u0000${trimmed}` : trimmed;
      const m = /^([^,]+?)\s*(?:,\s*'([^']*)')?$/.exec(trimmed);
      const values = m ? lookup(ctx, m[1]!) : undefined;
      const value = values?.length === 1 ? values[0] : m?.[2];
      if (value === undefined) throw new UnresolvedVariable();
      return value;
    });
  } catch (err) {
    if (err instanceof UnresolvedVariable) return undefined;
    throw err;
  }
}

type ValueTest = (contextValue: string, policyValues: readonly string[]) => boolean;

/**
 * IAM's `*` / `?` wildcard match, case-sensitive; a character after \u0000 (from `${*}`, `${?}`,
 * `${$}`) is literal.
 */
export function likeMatch(pattern: string, value: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\u0000') re += escapeRe(pattern[++i] ?? '');
    else re += c === '*' ? '.*' : c === '?' ? '.' : escapeRe(c);
  }
  return new RegExp(`^${re}$`, 's').test(value);
}
const escapeRe = (c: string) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const like = likeMatch;

/** The positive operators; the `Not` forms are their negation. */
const BASE_TESTS: Record<string, ValueTest> = {
  stringequals: (v, ps) => ps.includes(v),
  stringequalsignorecase: (v, ps) => ps.some((p) => p.toLowerCase() === v.toLowerCase()),
  stringlike: (v, ps) => ps.some((p) => like(p, v)),
  bool: (v, ps) => ps.some((p) => p.toLowerCase() === v.toLowerCase()),
  arnequals: (v, ps) => ps.some((p) => like(p, v)),
  arnlike: (v, ps) => ps.some((p) => like(p, v)),
  numericequals: (v, ps) => ps.some((p) => Number(p) === Number(v)),
};
const NEGATED: Record<string, string> = {
  stringnotequals: 'stringequals',
  stringnotequalsignorecase: 'stringequalsignorecase',
  stringnotlike: 'stringlike',
  arnnotequals: 'arnequals',
  arnnotlike: 'arnlike',
  numericnotequals: 'numericequals',
};

/** Thrown for an operator this evaluator does not know: better a loud error than a silent allow. */
export class UnsupportedConditionOperatorError extends Error {
  override readonly name = 'UnsupportedConditionOperatorError';
}

/**
 * One operator block of a Condition (`"StringEquals": {key: value(s), ...}`): every key must hold.
 * @throws UnsupportedConditionOperatorError for an operator it does not implement.
 */
export function evaluateOperator(operator: string, block: Record<string, string | string[] | boolean>, ctx: RequestContext): boolean {
  let op = operator.toLowerCase();
  const set = op.startsWith('forallvalues:') ? 'all' : op.startsWith('foranyvalue:') ? 'any' : undefined;
  if (set) op = op.slice(op.indexOf(':') + 1);
  const ifExists = op.endsWith('ifexists');
  if (ifExists) op = op.slice(0, -'ifexists'.length);

  return Object.entries(block).every(([key, raw]) => {
    const rawValues = (Array.isArray(raw) ? raw : [raw]).map(String);
    const contextValues = lookup(ctx, key);
    const present = contextValues !== undefined && contextValues.length > 0;

    if (op === 'null') {
      // "true": the key must be absent; "false": present (an empty set counts as absent).
      return rawValues.some((p) => (p.toLowerCase() === 'true') !== present);
    }
    const negated = op in NEGATED;
    const test = BASE_TESTS[negated ? NEGATED[op]! : op];
    if (!test) throw new UnsupportedConditionOperatorError(`condition operator not supported locally: ${operator}`);
    // Policy variables in condition values; an unresolvable one matches nothing.
    const policyValues = rawValues
      .map((p) => substituteVariables(p, ctx, op.endsWith('like')))
      .filter((p): p is string => p !== undefined);
    const holds = (v: string) => (negated ? !test(v, policyValues) : test(v, policyValues));

    if (set === 'all') return !present || contextValues.every(holds); // empty or missing set: true
    if (set === 'any') return present && contextValues.some(holds); // empty or missing set: false
    if (!present) return ifExists || negated; // negated operators are true for a missing key
    // A single-valued operator on a multivalued key: every value must hold (the strict reading).
    return contextValues.every(holds);
  });
}

/** A whole Condition element: every operator block must hold. */
export function evaluateCondition(condition: Record<string, Record<string, string | string[] | boolean>> | undefined, ctx: RequestContext): boolean {
  if (!condition) return true;
  return Object.entries(condition).every(([operator, block]) => evaluateOperator(operator, block, ctx));
}
