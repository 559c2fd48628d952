// Collects benchmark figures and prints them as one table.

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
    const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
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
