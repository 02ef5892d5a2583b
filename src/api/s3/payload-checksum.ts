/**
 * S3's additional checksums (`x-amz-checksum-<algorithm>`, base64 of the digest), which the
 * newer SDKs send with every upload: boto3 1.36 and later put CRC32 in a header, or in the
 * trailer of an aws-chunked body over TLS. The checksum covers the decoded object bytes; one that
 * does not match refuses the upload before anything is stored.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';
import { LockstepError } from '../../errors/lockstep-error.js';
import { BadDigest } from '../../objects/object-errors.js';

/** The checksum algorithms Lockstep verifies, by the suffix of their header name. */
export type ChecksumAlgorithm = 'crc32' | 'crc32c' | 'sha1' | 'sha256';

const ALGORITHMS: readonly ChecksumAlgorithm[] = ['crc32', 'crc32c', 'sha1', 'sha256'];
const HEADER_PREFIX = 'x-amz-checksum-';
/** Headers that share the prefix but carry no checksum (GetObject's ChecksumMode, and so on). */
const NOT_CHECKSUMS = new Set([
  'x-amz-checksum-mode',
  'x-amz-checksum-type',
  'x-amz-checksum-algorithm',
]);

/** The algorithm a header (`x-amz-checksum-crc32`) names; refuses one Lockstep cannot verify. */
export function checksumAlgorithmOf(headerName: string): ChecksumAlgorithm {
  const name = headerName.toLowerCase().slice(HEADER_PREFIX.length);
  const algorithm = ALGORITHMS.find((known) => known === name);
  if (!headerName.toLowerCase().startsWith(HEADER_PREFIX) || algorithm === undefined) {
    throw new LockstepError(
      'InvalidRequest',
      `The checksum ${headerName} is not supported by Lockstep; use CRC32, CRC32C, SHA1 or SHA256.`,
    );
  }
  return algorithm;
}

/** The x-amz-checksum-* header a request carries, if any (at most one is allowed). */
export function checksumHeaderOf(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): { name: string; value: string } | undefined {
  const names = Object.keys(headers).filter(
    (name) => name.startsWith(HEADER_PREFIX) && !NOT_CHECKSUMS.has(name),
  );
  if (names.length > 1) {
    throw new LockstepError('InvalidRequest', 'Expecting a single x-amz-checksum- header.');
  }
  const [name] = names;
  const value = name === undefined ? undefined : headers[name];
  return name === undefined || typeof value !== 'string' ? undefined : { name, value };
}

/**
 * Passes bytes through and, at the end, compares their checksum with `expected()` (called then,
 * so that a trailer read by an earlier stage can supply it); BadDigest if they differ.
 */
export class ChecksumCheck extends Transform {
  private readonly digest: Digest;

  constructor(
    private readonly algorithm: ChecksumAlgorithm,
    private readonly expected: () => string | undefined,
  ) {
    super();
    this.digest = newDigest(algorithm);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.digest.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback) {
    const expected = this.expected();
    const actual = this.digest.base64();
    if (expected === undefined) {
      callback(
        new LockstepError(
          'InvalidRequest',
          `The ${HEADER_PREFIX}${this.algorithm} trailer is missing.`,
        ),
      );
      return;
    }
    callback(
      expected.trim() === actual
        ? null
        : new BadDigest(
            {},
            `The ${this.algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
          ),
    );
  }
}

interface Digest {
  update(chunk: Buffer): void;
  base64(): string;
}

function newDigest(algorithm: ChecksumAlgorithm): Digest {
  if (algorithm === 'sha1' || algorithm === 'sha256') return hashDigest(createHash(algorithm));
  let value = 0;
  const step = algorithm === 'crc32' ? crc32 : crc32c;
  return {
    update: (chunk) => {
      value = step(chunk, value);
    },
    base64: () => {
      const bytes = Buffer.alloc(4);
      bytes.writeUInt32BE(value >>> 0);
      return bytes.toString('base64');
    },
  };
}

function hashDigest(hash: Hash): Digest {
  return { update: (chunk) => hash.update(chunk), base64: () => hash.digest('base64') };
}

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78); Node has only zlib's CRC-32.
const CRC32C_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32C of `data`, continuing from `previous` (as zlib.crc32 does for CRC-32). */
export function crc32c(data: Buffer, previous = 0): number {
  let crc = ~previous >>> 0;
  for (const byte of data) crc = (CRC32C_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return ~crc >>> 0;
}
