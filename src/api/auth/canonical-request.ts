import { InvalidSignatureException } from '../../errors/lockstep-error.js';
import { SIGV4_MESSAGES } from './sigv4-messages.js';

/** What the canonical request is built from. */
export interface CanonicalRequestInput {
  method: string;
  /** The raw request target as received: path and query string, still percent-encoded. */
  path: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The client's SignedHeaders list, in its order. */
  signedHeaders: readonly string[];
  payloadHash: string;
  /**
   * S3's variant: the path is encoded once, as it was sent (canonicalS3Uri), not normalized and
   * encoded twice.
   */
  s3?: boolean;
  /** A query parameter left out of the canonical query string: a presigned URL's signature. */
  omitQueryParameter?: string;
}

// RFC 3986 unreserved characters stay as they are; every other byte becomes %XX (upper case).
const ENCODED_BYTE: readonly string[] = Array.from({ length: 256 }, (_, byte) => {
  const char = String.fromCharCode(byte);
  return /[A-Za-z0-9\-._~]/.test(char)
    ? char
    : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
});

/**
 * Builds the SigV4 canonical request. A header the client says it signed but that is not in
 * the request is refused outright (rather than canonicalised as empty) so a proxy that drops
 * a signed header cannot make two different requests look the same.
 */
export function buildCanonicalRequest(input: CanonicalRequestInput): string {
  const queryAt = input.path.indexOf('?');
  const rawPath = queryAt < 0 ? input.path : input.path.slice(0, queryAt);
  const rawQuery = queryAt < 0 ? '' : input.path.slice(queryAt + 1);
  const headerLines = input.signedHeaders.map(
    (name) => `${name}:${canonicalHeaderValue(input.headers[name.toLowerCase()])}`,
  );
  return [
    input.method,
    input.s3 ? canonicalS3Uri(rawPath) : canonicalUri(rawPath),
    canonicalQueryString(rawQuery, input.omitQueryParameter),
    ...headerLines,
    '',
    input.signedHeaders.join(';'),
    input.payloadHash,
  ].join('\n');
}

/**
 * Canonical URI for every service but S3: drop empty and `.` segments, resolve `..`, then
 * URI-encode the path as received. The client already encoded it once, so this is the
 * "double encoding" SigV4 specifies, and what @smithy/signature-v4 and botocore compute.
 */
export function canonicalUri(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  if (segments.length === 0) return '/';
  const trailingSlash = rawPath.endsWith('/') ? '/' : '';
  return `/${segments.map(uriEncode).join('/')}${trailingSlash}`;
}

/**
 * Canonical URI for S3: every segment as the client encoded it, kept whole (no dot segments
 * resolved, no empty segments dropped: `a//b` and `a/./b` are distinct keys) and encoded once.
 * Each segment is decoded and re-encoded, so `%7e`, `~` and `%7E` agree as they do for AWS.
 */
export function canonicalS3Uri(rawPath: string): string {
  if (rawPath === '') return '/';
  return rawPath.split('/').map(reencode).join('/');
}

/**
 * Canonical query string: each name and value percent-decoded and re-encoded per RFC 3986
 * (so `%7e`, `~` and `%7E` agree, and `+` stays a plus), then sorted by name, then value.
 * `omit` names a parameter to leave out (X-Amz-Signature, in a presigned URL).
 */
export function canonicalQueryString(rawQuery: string, omit?: string): string {
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = equals < 0 ? part : part.slice(0, equals);
    const value = equals < 0 ? '' : part.slice(equals + 1);
    if (omit !== undefined && name === omit) continue;
    pairs.push([reencode(name), reencode(value)]);
  }
  pairs.sort(([nameA, valueA], [nameB, valueB]) =>
    nameA === nameB ? compare(valueA, valueB) : compare(nameA, nameB),
  );
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** URI-encodes a string's UTF-8 bytes, leaving only RFC 3986 unreserved characters bare. */
export function uriEncode(value: string): string {
  return encodeBytes(Buffer.from(value, 'utf8'));
}

function canonicalHeaderValue(value: string | string[] | undefined): string {
  if (value === undefined) throw new InvalidSignatureException(SIGV4_MESSAGES.signatureMismatch);
  const values = Array.isArray(value) ? value : [value];
  return values.map((one) => one.replace(/[ \t\r\n]+/g, ' ').replace(/^ | $/g, '')).join(',');
}

// Works on bytes so that an escape which is not valid UTF-8 (`%FF`) survives unchanged; a `%`
// not followed by two hex digits is taken literally, as a client that never encoded it meant.
function reencode(component: string): string {
  if (!component.includes('%')) return uriEncode(component);
  const chunks: Buffer[] = [];
  for (const piece of component.split(/(%[0-9A-Fa-f]{2})/)) {
    if (piece === '') continue;
    chunks.push(
      /^%[0-9A-Fa-f]{2}$/.test(piece)
        ? Buffer.of(parseInt(piece.slice(1), 16))
        : Buffer.from(piece, 'utf8'),
    );
  }
  return encodeBytes(Buffer.concat(chunks));
}

function encodeBytes(bytes: Buffer): string {
  let encoded = '';
  for (const byte of bytes) encoded += ENCODED_BYTE[byte] ?? '';
  return encoded;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
