// Collects benchmark figures and prints them as one table.

/** The p-th percentile (nearest rank) of the samples. */
export const percentile = (xs: readonly number[], p: number): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

export interface Row {
  section: string;
  name: string;
  value: number;
  unit: string;
  goalMet?: boolean;
}

export class Report {
  readonly rows: Row[] = [];

  add(section: string, name: string, value: number, unit: string, goalMet?: boolean): void {
    this.rows.push({ section, name, value, unit, goalMet });
  }

  print(): void {
    const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 0.1 || v === 0 ? v.toFixed(2) : v.toPrecision(2));
    let section = '';
    for (const r of this.rows) {
      if (r.section !== section) {
        section = r.section;
        console.log(`\n## ${section}`);
      }
      const goal = r.goalMet === undefined ? '' : r.goalMet ? '  [goal met]' : '  [GOAL MISSED]';
      console.log(`${r.name.padEnd(58)} ${fmt(r.value).padStart(10)} ${r.unit}${goal}`);
    }
  }
}

export function opsPerSecond(count: number, fn: (i: number) => void): number {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) fn(i);
  return count / ((performance.now() - t0) / 1000);
}
