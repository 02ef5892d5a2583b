import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode } from './base32.js';
import { findTotpStep, totpCode, totpStep } from './totp.js';

// RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
const RFC_SEED = Buffer.from('12345678901234567890', 'ascii');
const RFC_SHA1_VECTORS: [seconds: number, code: string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('totp', () => {
  it.each(RFC_SHA1_VECTORS)('matches RFC 6238 at T=%i (8 digits)', (seconds, code) => {
    expect(totpCode(RFC_SEED, totpStep(seconds * 1000), 8)).toBe(code);
  });

  it.each(RFC_SHA1_VECTORS)('gives the last six digits as the 6-digit code at T=%i', (s, code) => {
    expect(totpCode(RFC_SEED, totpStep(s * 1000))).toBe(code.slice(2));
  });

  it('uses 30-second steps', () => {
    expect(totpStep(29_999)).toBe(0);
    expect(totpStep(30_000)).toBe(1);
    expect(totpStep(1111111109_000)).toBe(0x23523ec);
  });

  it('finds which step a code belongs to, and nothing for a wrong or malformed code', () => {
    const step = totpStep(1234567890_000);
    const code = totpCode(RFC_SEED, step);
    expect(findTotpStep(RFC_SEED, code, [step - 1, step, step + 1])).toBe(step);
    expect(findTotpStep(RFC_SEED, code, [step + 1, step + 2])).toBeUndefined();
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    expect(findTotpStep(RFC_SEED, wrong, [step])).toBeUndefined();
    expect(findTotpStep(RFC_SEED, code.slice(1), [step])).toBeUndefined();
    expect(findTotpStep(RFC_SEED, `${code} `, [step])).toBeUndefined();
  });
});

describe('base32', () => {
  it('encodes and decodes RFC 4648 test vectors (padding dropped)', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [plain, encoded] of vectors) {
      expect(base32Encode(Buffer.from(plain))).toBe(encoded);
      expect(base32Decode(`${encoded.toLowerCase()}===`).toString()).toBe(plain);
    }
  });

  it('round-trips a 40-byte seed and refuses a character outside the alphabet', () => {
    const seed = Buffer.from(Array.from({ length: 40 }, (_, i) => (i * 37) & 0xff));
    const text = base32Encode(seed);
    expect(text).toHaveLength(64);
    expect(base32Decode(text).equals(seed)).toBe(true);
    expect(() => base32Decode('MZ1W')).toThrow();
  });
});
