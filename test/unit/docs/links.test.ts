// The README and docs/ hold together: every relative link (and #anchor) resolves, every threat
// number used has its row in docs/threat-model.md, and every test file a row names exists and at
// least one of them is labelled with that threat.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
/** Markdown text without fenced code blocks (their brackets are code, not links). */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
const anchorsOf = (file: string) => new Set([...prose(read(file)).matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1]!)));

describe('README and docs', () => {
  it.each(DOCS)('%s: every relative link and anchor resolves', (file) => {
    const broken: string[] = [];
    for (const [, target] of prose(read(file)).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target!)) continue; // https:, mailto:
      const [path, anchor] = target!.split('#') as [string, string | undefined];
      const resolved = path === '' ? file : relative(ROOT, join(ROOT, dirname(file), path));
      if (!existsSync(join(ROOT, resolved))) broken.push(`${target} (no file ${resolved})`);
      else if (anchor && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) broken.push(`${target} (no heading #${anchor})`);
    }
    expect(broken).toEqual([]);
  });

  const threatModel = read('docs/threat-model.md');
  const rows = new Map([...threatModel.matchAll(/^## (T\d+): [^\n]+\n([\s\S]*?)(?=^## |(?![\s\S]))/gm)].map((m) => [m[1]!, m[2]!]));

  it('has a threat-model row for every threat number the README and docs use', () => {
    const used = new Set(DOCS.flatMap((f) => [...read(f).matchAll(/\bT(\d{1,2})\b/g)].map((m) => `T${m[1]}`)));
    expect(used.size).toBeGreaterThan(0);
    expect([...used].filter((t) => !rows.has(t))).toEqual([]);
  });

  // A row without a test says so ("Not in the suite yet."), and is listed in the test output.
  const PENDING = '**Tests.** Not in the suite yet.';
  const proven = [...rows.keys()].filter((t) => !rows.get(t)!.includes(PENDING));

  it('says which threats have no test yet', () => {
    const pending = [...rows.keys()].filter((t) => !proven.includes(t));
    if (pending.length > 0) console.log(`threat-model rows without a test yet: ${pending.join(', ')}`);
    expect(rows.size).toBeGreaterThan(0);
    for (const t of pending) expect(rows.get(t), t).not.toMatch(/`test\//);
  });

  it.each(proven)('%s names test files that exist and are labelled with it', (threat) => {
    const tests = [...rows.get(threat)!.matchAll(/`(test\/[^`]+\.ts)`/g)].map((m) => m[1]!);
    expect(tests.length, `${threat} names no test file`).toBeGreaterThan(0);
    for (const test of tests) expect(existsSync(join(ROOT, test)), test).toBe(true);
    const labelled = tests.filter((t) => new RegExp(`\\b${threat}\\b`).test(read(t)));
    expect(labelled, `no file named for ${threat} mentions it`).not.toEqual([]);
  });
});
