import { describe, expect, it } from 'vitest';
import { compileFilterPattern } from './filter-pattern.js';

const LINES = [
  'ERROR disk full',
  'ERROR Exception in thread main',
  'WARN slow response',
  'INFO Build failed: exit 2',
  'DEBUG error lowercase',
];

function matching(pattern: string | undefined): string[] {
  const filter = compileFilterPattern(pattern);
  return LINES.filter(filter);
}

describe('compileFilterPattern', () => {
  it.each([
    [undefined, LINES],
    ['', LINES],
    ['   ', LINES],
    ['ERROR', ['ERROR disk full', 'ERROR Exception in thread main']],
    ['ERROR Exception', ['ERROR Exception in thread main']],
    ['"Build failed"', ['INFO Build failed: exit 2']],
    ['"failed: exit"', ['INFO Build failed: exit 2']],
    ['?WARN ?DEBUG', ['WARN slow response', 'DEBUG error lowercase']],
    ['ERROR -Exception', ['ERROR disk full']],
    ['?ERROR ?WARN -disk', ['ERROR Exception in thread main', 'WARN slow response']],
    ['"Build  failed"', []],
    ['error', ['DEBUG error lowercase']],
  ])('%j matches what CloudWatch Logs would', (pattern, expected) => {
    expect(matching(pattern)).toEqual(expected);
  });

  it('reads \\" inside a quoted phrase as a quote', () => {
    const filter = compileFilterPattern('"say \\"hi\\""');
    expect(filter('they say "hi" here')).toBe(true);
    expect(filter('they say hi here')).toBe(false);
  });

  it.each([
    ['{ $.level = "ERROR" }', /JSON/],
    ['[ip, user, status]', /space-delimited/],
    ['%ERR(OR)?%', /regular expression/],
    ['"unterminated', /unterminated quote/],
  ])('refuses %j with InvalidParameterException', (pattern, message) => {
    expect(() => compileFilterPattern(pattern)).toThrow(message);
    try {
      compileFilterPattern(pattern);
    } catch (error) {
      expect((error as { code?: string }).code).toBe('InvalidParameterException');
    }
  });
});
