// Plain-language due dates, relative to an injected "today" (UTC calendar date). Rules:
// "today", "tomorrow", "in N days|weeks", "next week" (+7 days), a weekday name with or without
// "this" / "next" / "on" (the first such day strictly after today), and ISO dates `YYYY-MM-DD`.

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const NUMBER_WORDS: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, ten: 10 };

/** True for a real calendar date in `YYYY-MM-DD` form (no 2025-02-30). */
export function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

export const toCalendarDate = (d: Date): string => d.toISOString().slice(0, 10);

function addDays(today: string, days: number): string {
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return toCalendarDate(d);
}

/** The date a phrase such as "next friday" names, or null when it names none. */
export function parseDueDate(phrase: string, today: string): string | null {
  const p = phrase.trim().toLowerCase().replace(/\s+/g, ' ');
  if (p === 'today' || p === 'tonight') return today;
  if (p === 'tomorrow') return addDays(today, 1);
  if (p === 'next week') return addDays(today, 7);
  if (isCalendarDate(p)) return p;
  const rel = /^in (\d{1,3}|[a-z]+) (day|days|week|weeks)$/.exec(p);
  if (rel) {
    const n = /^\d+$/.test(rel[1]!) ? Number(rel[1]) : NUMBER_WORDS[rel[1]!];
    if (n === undefined) return null;
    return addDays(today, rel[2]!.startsWith('week') ? n * 7 : n);
  }
  const wd = /^(?:(?:this|next|on|coming) )?(sunday|monday|tuesday|wednesday|thursday|friday|saturday)$/.exec(p);
  if (wd) {
    const target = WEEKDAYS.indexOf(wd[1] as (typeof WEEKDAYS)[number]);
    const current = new Date(`${today}T00:00:00Z`).getUTCDay();
    return addDays(today, ((target - current + 7) % 7) || 7);
  }
  return null;
}

const DUE_TAIL =
  /\s+(?:(?:due|by|on|for|before)\s+)?(today|tonight|tomorrow|next week|in \S+ (?:days?|weeks?)|(?:(?:this|next|coming)\s+)?(?:sunday|monday|tuesday|wednesday|thursday|friday|saturday)|\d{4}-\d{2}-\d{2})\s*[.!]?$/i;

/** Splits a trailing due-date phrase off a task title: "buy milk tomorrow" → "buy milk" + date. */
export function extractDueDate(text: string, today: string): { title: string; dueDate: string | null } {
  const m = DUE_TAIL.exec(text);
  if (!m) return { title: text.trim(), dueDate: null };
  const dueDate = parseDueDate(m[1]!, today);
  if (!dueDate) return { title: text.trim(), dueDate: null };
  return { title: text.slice(0, m.index).trim(), dueDate };
}
