/**
 * Paging tokens: opaque to clients (base64url of a small JSON object), checked on the way
 * back in so a forged or stale token is an InvalidNextTokenException, never a crash.
 */
import { InvalidNextTokenException } from '../errors/codepipeline-errors.js';

/** Encodes the position after which the next page starts. */
export function encodePageToken(kind: string, after: string): string {
  return Buffer.from(JSON.stringify({ k: kind, a: after }), 'utf8').toString('base64url');
}

/** Decodes a token made by encodePageToken for the same kind of listing. */
export function decodePageToken(kind: string, token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const { k, a } = (parsed ?? {}) as { k?: unknown; a?: unknown };
  if (k !== kind || typeof a !== 'string') {
    throw new InvalidNextTokenException('The next token is not valid for this request.');
  }
  return a;
}
