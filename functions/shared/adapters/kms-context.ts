// The encryption context KMS sees (and logs in CloudTrail): a purpose and a key version, never a
// user or content. The content key's policy allows these keys and no others (infra/constructs/content-key.ts).
export const KMS_CONTEXT_KEYS = ['tg:purpose', 'tg:kek'] as const;
export const KEK_PURPOSE = 'threadguard-kek';
