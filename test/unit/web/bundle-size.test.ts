// The web client as deployed (web/build.ts, minified) stays small: script, stylesheet and page
// together at most 100 KB, so a phone on a slow link loads it quickly.
import { describe, expect, it } from 'vitest';
import { buildWebClient } from '../../../web/build';

describe('web client bundle', () => {
  it('is at most 100 KB (app.js + app.css + index.html, minified)', () => {
    const files = buildWebClient();
    const total = [...files.values()].reduce((n, b) => n + b.length, 0);
    expect(total / 1024).toBeLessThanOrEqual(100);
  });
});
