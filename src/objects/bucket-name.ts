/**
 * S3's general purpose bucket naming rules, checked at CreateBucket (other calls on a bad name
 * simply find no bucket). Path-style addressing puts the name in the URL's first segment, and
 * the name also names a directory under DIR/objects, so the rules matter beyond fidelity: no
 * '/', no leading '.', nothing that could climb out of that directory.
 */
import { InvalidBucketName } from './object-errors.js';

const SHAPE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d{1,3}(\.\d{1,3}){3}$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/** Throws InvalidBucketName unless `name` follows S3's rules for general purpose buckets. */
export function checkBucketName(name: string): void {
  const valid =
    SHAPE.test(name) &&
    !name.includes('..') &&
    !IP_ADDRESS.test(name) &&
    !RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix)) &&
    !RESERVED_SUFFIXES.some((suffix) => name.endsWith(suffix));
  if (!valid) {
    throw new InvalidBucketName(
      { bucketName: name },
      'The specified bucket is not valid: a bucket name has 3 to 63 lower-case letters, digits, ' +
        'dots and hyphens, begins and ends with a letter or digit, and is not an IP address.',
    );
  }
}

/** Whether `name` could name a bucket at all: a cheap check before any lookup or path. */
export function isPlausibleBucketName(name: string): boolean {
  return SHAPE.test(name);
}
