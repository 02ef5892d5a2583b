/**
 * The body of an S3 request as operations read it: decoded from aws-chunked when it was sent
 * so, and verified as it streams against what the client signed (x-amz-content-sha256, the
 * chunk signatures) and declared (an x-amz-checksum-* header or trailer). A failed check fails
 * the stream, so whatever was reading it (an object write) stores nothing.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { PassThrough, type Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidSignatureException, LockstepError } from '../../errors/lockstep-error.js';
import { EntityTooLarge, IncompleteBody } from '../../objects/object-errors.js';
import { Sha256Check } from '../../objects/sha256-check.js';
import { SIGV4_MESSAGES } from '../auth/sigv4-messages.js';
import type { SigV4Seed } from '../auth/verify-sigv4.js';
import { AwsChunkedDecoder } from './aws-chunked-decoder.js';
import { ChecksumCheck, checksumAlgorithmOf, checksumHeaderOf } from './payload-checksum.js';

/** The most an XML request document (a configuration, a retention) may take. */
const MAX_DOCUMENT_BYTES = 1024 * 1024;

/**
 * The request body, decoded and checked as it is read. The raw request is piped in rather than
 * made part of the pipeline, so that a failed check does not destroy the request (and with it
 * the socket the error answer must go out on).
 */
export function verifiedBody(
  raw: Readable,
  headers: IncomingHttpHeaders,
  seed: SigV4Seed,
): Readable {
  const stages: Transform[] = [];
  const mode = seed.payloadHash;
  let decoder: AwsChunkedDecoder | undefined;
  if (mode.startsWith('STREAMING-')) {
    const decoded = headers['x-amz-decoded-content-length'];
    const signing =
      mode === 'STREAMING-UNSIGNED-PAYLOAD-TRAILER'
        ? ({ kind: 'unsigned' } as const)
        : ({ kind: 'signed', seed } as const);
    decoder = new AwsChunkedDecoder(signing, decoded === undefined ? undefined : Number(decoded));
    stages.push(decoder);
  } else if (mode !== 'UNSIGNED-PAYLOAD') {
    // Fails at the end unless the body hashes to the x-amz-content-sha256 the client signed.
    stages.push(
      new Sha256Check(
        mode,
        () => new InvalidSignatureException(SIGV4_MESSAGES.payloadHashMismatch),
      ),
    );
  }
  const check = checksumCheck(headers, decoder);
  if (check) stages.push(check);
  const body = new PassThrough();
  const [first = body] = stages;
  if (stages.length > 0) {
    pipeline([...stages, body]).catch((error: unknown) => {
      raw.unpipe(first);
      body.destroy(error as Error);
    });
  }
  raw.once('close', () => {
    if (!raw.readableEnded) {
      first.destroy(
        new IncompleteBody({}, 'The client closed the connection before the body ended.'),
      );
    }
  });
  raw.pipe(first);
  return body;
}

/** Reads a small request document whole. */
export async function readDocument(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_DOCUMENT_BYTES) {
      throw new EntityTooLarge(
        {},
        `A request document may hold at most ${MAX_DOCUMENT_BYTES} bytes.`,
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The checksum to verify: named by a header with its value, or by x-amz-trailer. */
function checksumCheck(
  headers: IncomingHttpHeaders,
  decoder: AwsChunkedDecoder | undefined,
): ChecksumCheck | undefined {
  const trailer = headers['x-amz-trailer'];
  if (typeof trailer === 'string' && trailer.startsWith('x-amz-checksum-')) {
    if (!decoder) {
      throw new LockstepError('InvalidRequest', 'x-amz-trailer needs an aws-chunked body.');
    }
    const name = trailer.trim().toLowerCase();
    return new ChecksumCheck(checksumAlgorithmOf(name), () => decoder.trailers.get(name));
  }
  const declared = checksumHeaderOf(headers);
  if (!declared) return undefined;
  return new ChecksumCheck(checksumAlgorithmOf(declared.name), () => declared.value);
}
