// Generators for text that storage and truncation get wrong (THREATS T15, issue of split characters).
import fc from 'fast-check';

/** A string with at least one unpaired surrogate (high or low), anywhere. */
export const illFormed = fc
  .tuple(fc.string({ maxLength: 20 }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.string({ maxLength: 20 }))
  .map(([a, unit, b]) => a + String.fromCharCode(unit) + b)
  .filter((s) => !s.isWellFormed());

/** Grapheme clusters of several UTF-16 lengths: astral emoji, ZWJ families, flags, combining marks. */
export const graphemes = fc.constantFrom('a', 'é', 'e\u0301', '😀', '👍🏽', '👩‍👩‍👧‍👦', '🇫🇷', '𝔸', 'ก่', '한');
export const graphemeText = fc.array(graphemes, { maxLength: 80 }).map((a) => a.join(''));
