/**
 * A stream stage that passes bytes through unchanged and fails at their end unless they hash
 * to an expected SHA-256: for bodies that are streamed on before they can be checked (an S3
 * payload against the hash its client signed, a large object version against its row).
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export class Sha256Check extends Transform {
  private readonly hash = createHash('sha256');

  /** `mismatch` makes the error the stream fails with, from the hex digest found. */
  constructor(
    private readonly expected: string,
    private readonly mismatch: (actual: string) => Error,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback) {
    const actual = this.hash.digest('hex');
    callback(actual === this.expected ? null : this.mismatch(actual));
  }
}
