// zod parse → ValidationError (400, the API's error shape) naming the field, never echoing the value.
import type { z } from 'zod';
import { ValidationError } from './errors';

/** @param context - what was being read, put before the field (`Invalid request body: name: ...`). */
export function parse<T>(schema: z.ZodType<T>, value: unknown, context?: string): T {
  const res = schema.safeParse(value);
  if (res.success) return res.data;
  const issue = res.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new ValidationError(`${context ? `${context}: ` : ''}${where}${issue?.message ?? 'invalid input'}`);
}
