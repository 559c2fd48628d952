// The audit archive's objects: one JSON Lines object per UTC day of the batch, the event fields
// only, keyed by the batch's first stream record so a retried batch writes the same keys.
import { describe, expect, it } from 'vitest';
import { archiveObjects } from '../../functions/audit-archive/archive-objects';

const item = (id: string, at: string) => ({ PK: 'AUDIT#u1', SK: `${at}#${id}`, type: 'audit', expiresAt: 1, id, at, action: 'thread.read', userId: 'u1', outcome: 'allowed' });

describe('T25: archiveObjects', () => {
  it('writes one JSON Lines object per UTC day with the event fields only', () => {
    const objects = archiveObjects([
      { id: 'rec-1', item: item('e1', '2026-12-06T23:59:59.000Z') },
      { id: 'rec-2', item: item('e2', '2026-12-07T00:00:01.000Z') },
      { id: 'rec-3', item: item('e3', '2026-12-07T10:00:00.000Z') },
    ]);
    expect(objects.map((o) => o.key)).toEqual(['audit/dt=2026-12-06/rec-1.jsonl', 'audit/dt=2026-12-07/rec-1.jsonl']);
    const lines = objects[1]!.body.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(['e2', 'e3']);
    expect(lines[0]).toEqual({ id: 'e2', at: '2026-12-07T00:00:01.000Z', action: 'thread.read', userId: 'u1', outcome: 'allowed' });
  });

  it('writes the same keys when the same batch is retried, and nothing for an empty one', () => {
    const batch = [{ id: 'rec-9', item: item('e9', '2026-12-07T10:00:00.000Z') }];
    expect(archiveObjects(batch)).toEqual(archiveObjects(batch));
    expect(archiveObjects([])).toEqual([]);
  });
});
