// Stream records of audit items as archive objects: one JSON Lines object per UTC day, keyed by the
// batch's first record so a retried batch writes the same keys.

/** The table's own bookkeeping, not part of the event. */
const TABLE_FIELDS = new Set(['PK', 'SK', 'type', 'expiresAt']);

export interface ArchiveObject {
  readonly key: string;
  readonly body: string;
}

export function archiveObjects(records: ReadonlyArray<{ id: string; item: Record<string, unknown> }>): ArchiveObject[] {
  const first = records[0]?.id;
  if (first === undefined) return [];
  const byDay = new Map<string, string[]>();
  for (const { item } of records) {
    const event = Object.fromEntries(Object.entries(item).filter(([k]) => !TABLE_FIELDS.has(k)));
    const day = typeof event.at === 'string' && /^\d{4}-\d{2}-\d{2}/.test(event.at) ? event.at.slice(0, 10) : 'unknown';
    const lines = byDay.get(day) ?? [];
    lines.push(JSON.stringify(event));
    byDay.set(day, lines);
  }
  return [...byDay].map(([day, lines]) => ({ key: `audit/dt=${day}/${first}.jsonl`, body: `${lines.join('\n')}\n` }));
}
