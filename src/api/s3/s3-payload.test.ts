/**
 * The S3 request body as operations read it: checked against the x-amz-content-sha256 the
 * client signed, and against an x-amz-checksum-* header, with the failure surfacing where the
 * body is read; a client that goes away mid-body leaves an IncompleteBody, not a short object.
 */
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { SigV4Seed } from '../auth/verify-sigv4.js';
import { readDocument, verifiedBody } from './s3-payload.js';

const seed = (payloadHash: string): SigV4Seed => ({
  signature: '0'.repeat(64),
  signingKey: Buffer.alloc(32),
  amzDate: '20261122T000000Z',
  credentialScope: '20261122/us-east-1/s3/aws4_request',
  payloadHash,
});
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function request(chunks: string[], end = true): PassThrough {
  const raw = new PassThrough();
  for (const chunk of chunks) raw.write(chunk);
  if (end) raw.end();
  else setImmediate(() => raw.destroy());
  return raw;
}

describe('verifiedBody', () => {
  it('passes a body that hashes to the signed x-amz-content-sha256', async () => {
    const body = verifiedBody(request(['hello ', 'world']), {}, seed(sha256('hello world')));
    expect((await readDocument(body)).toString()).toBe('hello world');
  });

  it('fails the read when the body is not the one signed: XAmzContentSHA256Mismatch', async () => {
    const body = verifiedBody(request(['hello there']), {}, seed(sha256('hello world')));
    await expect(readDocument(body)).rejects.toMatchObject({
      code: 'InvalidSignatureException',
      message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
    });
  });

  it('checks an x-amz-checksum-sha256 header even on an UNSIGNED-PAYLOAD body', async () => {
    const good = createHash('sha256').update('abc').digest('base64');
    const headers = { 'x-amz-checksum-sha256': good };
    const body = verifiedBody(request(['abc']), headers, seed('UNSIGNED-PAYLOAD'));
    expect((await readDocument(body)).toString()).toBe('abc');
    const altered = verifiedBody(request(['abd']), headers, seed('UNSIGNED-PAYLOAD'));
    await expect(readDocument(altered)).rejects.toMatchObject({ code: 'BadDigest' });
  });

  it('reports a body cut short by the client as IncompleteBody', async () => {
    const body = verifiedBody(request(['half a bo'], false), {}, seed('UNSIGNED-PAYLOAD'));
    await expect(readDocument(body)).rejects.toMatchObject({ code: 'IncompleteBody' });
  });
});
