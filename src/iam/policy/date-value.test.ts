import { describe, expect, it } from 'vitest';
import { parseDateValue } from './date-value.js';

describe('date values', () => {
  const jan1 = Date.UTC(2024, 0, 1);
  it.each([
    ['2024-01-01T00:00:00Z', jan1],
    ['2024-01-01T01:00:00+01:00', jan1],
    ['2023-12-31T19:00-05:00', jan1],
    ['2024-01-01', jan1],
    ['2024-01', jan1],
    ['2024', jan1], // four bare digits are a W3C year
    ['1704067200', jan1], // epoch seconds
    ['2024-01-01T00:00:00.250Z', jan1 + 250],
    ['0050-06-01', new Date('0050-06-01T00:00:00Z').getTime()], // not read as 1950
  ])('%s', (text, expected) => {
    expect(parseDateValue(text)).toBe(expected);
  });

  it.each(['yesterday', '2024-02-30', '2024-13-01', '2024-01-01T25:00Z', '2024-1-1', ''])(
    'refuses %j',
    (text) => {
      expect(parseDateValue(text)).toBeUndefined();
    },
  );
});
