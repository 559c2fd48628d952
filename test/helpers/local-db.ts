// Direct access to the shared local stack's DynamoDB Local (written by the stack to DATA_DIR), for
// tests that seed or inspect items through the real adapters.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../functions/shared/adapters/dynamo-client';

export function localDb(dataDir: string = inject('dataDir')): { client: DynamoDBDocumentClient; tableName: string } {
  const info = JSON.parse(readFileSync(join(dataDir, 'local-stack.json'), 'utf8')) as { dynamodbEndpoint: string; tableName: string };
  return { client: createDocumentClient({ tableName: info.tableName, endpoint: info.dynamodbEndpoint }), tableName: info.tableName };
}
