// Text is cut on grapheme clusters wherever it is truncated (ChatKit titles, stored User-Agent,
// audited ids): a cut never leaves a lone surrogate or half an emoji behind.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { truncateText } from '../../../functions/shared/core/text';
import { graphemeText, illFormed } from '../../helpers/unicode';

const segments = (s: string) => [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)].map((x) => x.segment);

describe('truncateText', () => {
  it('returns a well-formed prefix made of whole grapheme clusters, within the limit', () => {
    fc.assert(
      fc.property(graphemeText, fc.integer({ min: 0, max: 120 }), (text, max) => {
        const cut = truncateText(text, max);
        expect(cut.length).toBeLessThanOrEqual(max);
        expect(cut.isWellFormed()).toBe(true);
        expect(text.startsWith(cut)).toBe(true);
        const whole = segments(text);
        expect(segments(cut)).toEqual(whole.slice(0, segments(cut).length));
        // Maximal: the next whole cluster would not have fitted.
        const next = whole[segments(cut).length];
        if (next !== undefined) expect(cut.length + next.length).toBeGreaterThan(max);
      }),
      { numRuns: 1000 },
    );
  });

  it('never ends in a lone surrogate where a UTF-16 slice would (a 60-unit ChatKit title)', () => {
    const title = `${'x'.repeat(59)}😀 and more`;
    expect(title.slice(0, 60).isWellFormed()).toBe(false);
    expect(truncateText(title, 60)).toBe('x'.repeat(59));
  });

  it('makes ill-formed input well-formed', () => {
    fc.assert(
      fc.property(illFormed, (s) => {
        expect(truncateText(s, 256).isWellFormed()).toBe(true);
      }),
    );
  });
});
