// The single Powertools Logger per function, with secret redaction built into serialisation.
import { Logger } from '@aws-lambda-powertools/logger';
import { redactReplacer } from '../core/redact';

export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'threadguard',
  jsonReplacerFn: redactReplacer as (key: string, value: unknown) => unknown,
});
