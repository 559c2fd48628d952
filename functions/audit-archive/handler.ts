// DynamoDB stream → S3: each batch of new audit events becomes one JSON Lines object per UTC day
// under audit/dt=YYYY-MM-DD/, in a bucket whose Object Lock (compliance mode) keeps every object
// unchanged for the retention period, whoever asks (docs/operations.md shows how to query it).
// The stream's filter (infra/constructs/audit-trail.ts) delivers only inserts of the per-user copy,
// so each event is archived once.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { archiveObjects } from './archive-objects';

const s3 = new S3Client({});
const bucket = process.env.AUDIT_ARCHIVE_BUCKET;

export async function handler(event: DynamoDBStreamEvent): Promise<void> {
  if (!bucket) throw new Error('AUDIT_ARCHIVE_BUCKET is not set');
  const items = event.Records.flatMap((r) => (r.dynamodb?.NewImage ? [{ id: r.eventID ?? '', item: unmarshall(r.dynamodb.NewImage as Record<string, AttributeValue>) }] : []));
  // A failure throws: Lambda retries the same batch, which writes the same keys again (a new
  // version under Object Lock, the same content), so nothing is lost and nothing is skipped.
  for (const object of archiveObjects(items)) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: object.key, Body: object.body, ContentType: 'application/x-ndjson' }));
  }
}
