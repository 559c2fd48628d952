// Text rules shared by every module that stores or cuts user-supplied strings.

/**
 * Whether `s` is well-formed Unicode (no unpaired surrogate). DynamoDB stores strings as UTF-8 and
 * replaces an unpaired surrogate (DynamoDB Local: with `?`), so two different ill-formed ids would
 * name the same key: every identifier that becomes part of a key must pass this (THREATS T15).
 */
export const isWellFormed = (s: string): boolean => s.isWellFormed();

export const ILL_FORMED_MESSAGE = 'must be well-formed Unicode';

let segmenter: Intl.Segmenter | undefined;

/**
 * `s` cut to at most `maxUnits` UTF-16 code units without splitting a grapheme cluster (an emoji
 * with its modifiers, a letter with its combining marks, a surrogate pair), so a cut never leaves a
 * lone surrogate or a half character behind. Ill-formed input is made well-formed first.
 */
export function truncateText(s: string, maxUnits: number): string {
  const text = s.toWellFormed();
  if (text.length <= maxUnits) return text;
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let end = 0;
  for (const { segment } of segmenter.segment(text)) {
    if (end + segment.length > maxUnits) break;
    end += segment.length;
  }
  return text.slice(0, end);
}
