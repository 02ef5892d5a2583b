import { describe, expect, it } from 'vitest';
import { SigningKeyCache } from './signing-key-cache.js';

describe('SigningKeyCache', () => {
  it('derives the signing key of the AWS documentation example', () => {
    const key = new SigningKeyCache().get(
      'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      '20120215',
      'us-east-1',
      'iam',
    );
    expect(key.toString('hex')).toBe(
      'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d',
    );
  });

  it('derives different keys for a different secret, date, region or service', () => {
    const cache = new SigningKeyCache();
    const keys = [
      cache.get('s', '20261121', 'us-east-1', 'codepipeline'),
      cache.get('t', '20261121', 'us-east-1', 'codepipeline'),
      cache.get('s', '20261122', 'us-east-1', 'codepipeline'),
      cache.get('s', '20261121', 'eu-west-1', 'codepipeline'),
      cache.get('s', '20261121', 'us-east-1', 'iam'),
    ].map((key) => key.toString('hex'));
    expect(new Set(keys).size).toBe(5);
    expect(cache.get('s', '20261121', 'us-east-1', 'codepipeline').toString('hex')).toBe(keys[0]);
  });

  it('holds at most maxEntries keys, dropping the least recently used', () => {
    const cache = new SigningKeyCache(2);
    const first = cache.get('a', '20261121', 'us-east-1', 'codepipeline');
    cache.get('b', '20261121', 'us-east-1', 'codepipeline');
    // Touch "a" so that "b" is the oldest when "c" arrives.
    expect(cache.get('a', '20261121', 'us-east-1', 'codepipeline')).toBe(first);
    cache.get('c', '20261121', 'us-east-1', 'codepipeline');
    expect(cache.size).toBe(2);
    expect(cache.get('a', '20261121', 'us-east-1', 'codepipeline')).toBe(first);
    expect(cache.size).toBe(2);
  });
});
