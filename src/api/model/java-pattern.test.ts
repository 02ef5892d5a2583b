import { describe, expect, it } from 'vitest';
import { compileJavaPattern, translateJavaPattern } from './java-pattern.js';

describe('compileJavaPattern', () => {
  it('matches the whole string, not a substring', () => {
    const accountId = compileJavaPattern('[0-9]{12}');
    expect(accountId.test('123456789012')).toBe(true);
    expect(accountId.test('1234567890123')).toBe(false);
    expect(accountId.test('x123456789012')).toBe(false);
  });

  it('anchors each alternative, not just the first and last', () => {
    const owner = compileJavaPattern('AWS|ThirdParty');
    expect(owner.test('AWS')).toBe(true);
    expect(owner.test('AWSx')).toBe(false);
    expect(owner.test('xThirdParty')).toBe(false);
  });

  it('accepts patterns that carry their own ^ and $', () => {
    const pattern = compileJavaPattern('^[a-zA-Z0-9-]+$');
    expect(pattern.test('my-repo')).toBe(true);
    expect(pattern.test('my repo')).toBe(false);
  });

  it('reads Java punctuation escapes that u mode would reject (Secrets Manager)', () => {
    const pattern = compileJavaPattern('^\\!?[a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]*$');
    expect(pattern.test('!a=b:c/d')).toBe(true);
    expect(pattern.test('a#b')).toBe(false);
    expect(compileJavaPattern('[\\w+=,.@\\:-]*').test('role:x-y')).toBe(true);
  });

  it('reads a - after a class escape in brackets as itself, as Java does (CloudWatch Logs)', () => {
    const pattern = compileJavaPattern('[\\w-_]*');
    expect(pattern.test('log-group_1')).toBe(true);
    expect(pattern.test('a.b')).toBe(false);
  });

  it('turns a leading (?s) into the s flag so . matches newlines (CloudTrail)', () => {
    const pattern = compileJavaPattern('(?s).*');
    expect(pattern.flags).toContain('s');
    expect(pattern.test('line one\nline two')).toBe(true);
  });

  it('treats \\p{L} as a Unicode letter class, as Java does (IAM)', () => {
    const tag = compileJavaPattern('[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+');
    expect(tag.test('Équipe 42')).toBe(true);
    expect(tag.test('p{L}')).toBe(false);
  });

  it('translates Java POSIX classes inside and outside brackets', () => {
    expect(compileJavaPattern('\\p{Alnum}+').test('abc123')).toBe(true);
    expect(compileJavaPattern('\\p{Alnum}+').test('abc-123')).toBe(false);
    expect(compileJavaPattern('[\\p{Digit}_]+').test('1_2')).toBe(true);
    expect(compileJavaPattern('\\P{Digit}+').test('ab')).toBe(true);
    expect(compileJavaPattern('\\P{Digit}+').test('a1')).toBe(false);
  });

  it('reads possessive quantifiers and atomic groups as their greedy equivalents', () => {
    expect(translateJavaPattern('a++b*+c?+d{2}+').source).toBe('a+b*c?d{2}');
    expect(translateJavaPattern('(?>ab)+').source).toBe('(?:ab)+');
    expect(translateJavaPattern('\\++').source).toBe('\\++');
    expect(translateJavaPattern('a+?').source).toBe('a+?');
  });

  it('refuses Java syntax it cannot translate, naming the pattern', () => {
    expect(() => compileJavaPattern('[a-z&&[^aeiou]]')).toThrow(/unsupported Java syntax/);
    expect(() => compileJavaPattern('(?x)a b')).toThrow(/inline flag/);
    expect(() => compileJavaPattern('\\Qa.b\\E')).toThrow(/Cannot compile model pattern/);
  });
});
