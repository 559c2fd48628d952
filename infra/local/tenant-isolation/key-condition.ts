// The partition-key value a Query addresses, from its KeyConditionExpression (or the legacy
// KeyConditions). A key condition must test the partition key with `=`, so the value is exact.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html
type Body = Record<string, unknown>;

/** A key value as IAM compares it: the string, number or base64 binary as written. */
export const scalarOf = (v: Record<string, unknown> | undefined): string | undefined => {
  if (!v || typeof v !== 'object') return undefined;
  const s = v.S ?? v.N ?? v.B;
  return typeof s === 'string' ? s : undefined;
};

/** The leading key `partitionKey` is compared with, or undefined when the query names none. */
export function leadingKeyOfQuery(body: Body, partitionKey: string): string | undefined {
  const names = (body.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (body.ExpressionAttributeValues ?? {}) as Record<string, Record<string, unknown>>;
  if (typeof body.KeyConditionExpression === 'string') {
    // `BETWEEN :a AND :b` splits into pieces that are not equalities, which is harmless here.
    for (const clause of body.KeyConditionExpression.split(/\bAND\b/i)) {
      const c = clause.replace(/[()]/g, ' ').trim();
      const fwd = /^(#?[\w.-]+)\s*=\s*(:\w+)$/.exec(c);
      const rev = /^(:\w+)\s*=\s*(#?[\w.-]+)$/.exec(c);
      const [nameToken, valueToken] = fwd ? [fwd[1]!, fwd[2]!] : rev ? [rev[2]!, rev[1]!] : [undefined, undefined];
      if (nameToken === undefined || valueToken === undefined) continue;
      const name = nameToken.startsWith('#') ? names[nameToken] : nameToken;
      if (name === partitionKey) return scalarOf(values[valueToken]);
    }
    return undefined;
  }
  const legacy = (body.KeyConditions ?? {}) as Record<string, { ComparisonOperator?: string; AttributeValueList?: Record<string, unknown>[] }>;
  const cond = legacy[partitionKey];
  return cond?.ComparisonOperator === 'EQ' ? scalarOf(cond.AttributeValueList?.[0]) : undefined;
}
