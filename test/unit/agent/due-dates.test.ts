import { describe, expect, it } from 'vitest';
import { extractDueDate, isCalendarDate, parseDueDate } from '../../../functions/shared/core/agent/due-dates';

// 2025-01-01 is a Wednesday.
const TODAY = '2025-01-01';

describe('parseDueDate', () => {
  it.each([
    ['today', '2025-01-01'],
    ['tomorrow', '2025-01-02'],
    ['next friday', '2025-01-03'],
    ['friday', '2025-01-03'],
    ['this friday', '2025-01-03'],
    ['on monday', '2025-01-06'],
    ['next wednesday', '2025-01-08'], // the first such day strictly after today
    ['next week', '2025-01-08'],
    ['in 3 days', '2025-01-04'],
    ['in two weeks', '2025-01-15'],
    ['2025-03-09', '2025-03-09'],
    ['  Next   FRIDAY ', '2025-01-03'],
  ])('reads "%s" as %s', (phrase, expected) => {
    expect(parseDueDate(phrase, TODAY)).toBe(expected);
  });

  it('crosses month, year and leap-day boundaries', () => {
    expect(parseDueDate('tomorrow', '2024-12-31')).toBe('2025-01-01');
    expect(parseDueDate('tomorrow', '2024-02-28')).toBe('2024-02-29');
    expect(parseDueDate('next sunday', '2025-02-28')).toBe('2025-03-02');
  });

  it.each(['someday', 'next month', 'in many days', '2025-02-30', 'fri'])('returns null for "%s"', (phrase) => {
    expect(parseDueDate(phrase, TODAY)).toBeNull();
  });
});

describe('extractDueDate', () => {
  it.each([
    ['buy milk tomorrow', 'buy milk', '2025-01-02'],
    ['call mom by next friday', 'call mom', '2025-01-03'],
    ['file taxes due 2025-04-15', 'file taxes', '2025-04-15'],
    ['pay rent on monday.', 'pay rent', '2025-01-06'],
    ['read a book', 'read a book', null],
    ['plan friday party', 'plan friday party', null],
  ])('splits "%s" into "%s" and %s', (text, title, due) => {
    expect(extractDueDate(text, TODAY)).toEqual({ title, dueDate: due });
  });
});

describe('isCalendarDate', () => {
  it('accepts real dates only', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2023-02-29')).toBe(false);
    expect(isCalendarDate('2025-13-01')).toBe(false);
    expect(isCalendarDate('2025-1-01')).toBe(false);
  });
});
