// What the TTL service's stream records carry, shared by the handler and the local stack's TTL emulation.

/** The principal DynamoDB's TTL deletions carry in a stream record's userIdentity. */
export const TTL_PRINCIPAL = 'dynamodb.amazonaws.com';
