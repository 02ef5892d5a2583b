/**
 * The aws-chunked decoder, on AWS's published chunked upload ("Transferring Payload in
 * Multiple Chunks": 66,560 bytes of 'a' as a 64 KiB chunk, a 1 KiB chunk and the final empty
 * one, each signature chained from the last) and its signed-trailer companion, and on the
 * unsigned-trailer body boto3 sends over TLS (captured from boto3 1.43). The request's seed
 * signature is verified first with the real verifier, as the S3 API does.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { verifySigV4, type SigV4Seed } from '../auth/verify-sigv4.js';
import { AwsChunkedDecoder } from './aws-chunked-decoder.js';
import { ChecksumCheck } from './payload-checksum.js';

const SEED = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
const CHUNK_1 = 'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648';
const CHUNK_2 = '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497';
const CHUNK_FINAL = 'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9';
/** The published signature of the trailer first:1st, second:2nd, third:3rd after CHUNK_FINAL. */
const TRAILER = 'df5735bd9f3295cd9386572292562fefc93ba94e80a0a1ddcbd652c4e0a75e6c';

/** Verifies AWS's example request and returns the seed its chunks chain from. */
async function publishedSeed(
  payloadHash = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
): Promise<SigV4Seed> {
  const verified = await verifySigV4(
    {
      method: 'PUT',
      path: '/examplebucket/chunkObject.txt',
      headers: {
        host: 's3.amazonaws.com',
        'x-amz-date': '20130524T000000Z',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': '66560',
        'content-length': '66824',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,' +
          'SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;' +
          `x-amz-decoded-content-length;x-amz-storage-class,Signature=${SEED}`,
      },
    },
    {
      service: 's3',
      s3: true,
      nowMs: Date.UTC(2013, 4, 24),
      lookupCredential: () =>
        Promise.resolve({ secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }),
    },
  );
  if (!verified.seed) throw new Error('no seed');
  // The trailer example signs the same chunks under a request declaring the -TRAILER mode.
  return { ...verified.seed, payloadHash };
}

function publishedBody(trailer = ''): Buffer {
  return Buffer.concat([
    Buffer.from(`10000;chunk-signature=${CHUNK_1}\r\n`),
    Buffer.alloc(65_536, 'a'),
    Buffer.from(`\r\n400;chunk-signature=${CHUNK_2}\r\n`),
    Buffer.alloc(1_024, 'a'),
    Buffer.from(`\r\n0;chunk-signature=${CHUNK_FINAL}\r\n${trailer}\r\n`),
  ]);
}

/** Feeds `body` in pieces of `slice` bytes and collects what comes out. */
async function decode(decoder: AwsChunkedDecoder, body: Buffer, slice: number): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let at = 0; at < body.length; at += slice) pieces.push(body.subarray(at, at + slice));
  const out: Buffer[] = [];
  await pipeline(Readable.from(pieces), decoder, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) out.push(chunk);
  });
  return Buffer.concat(out);
}

describe('AwsChunkedDecoder, signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)', () => {
  it('decodes the published body, whatever the network slicing', async () => {
    const seed = await publishedSeed();
    const body = publishedBody();
    expect(body.length).toBe(66_824); // the published Content-Length
    for (const slice of [1, 7, 8_192, 100_000]) {
      const decoded = await decode(
        new AwsChunkedDecoder({ kind: 'signed', seed }, 66_560),
        body,
        slice,
      );
      expect(decoded.equals(Buffer.alloc(66_560, 'a'))).toBe(true);
    }
  });

  it('refuses a body with one data byte changed: the chunk signature no longer matches', async () => {
    const seed = await publishedSeed();
    const body = publishedBody();
    body[66_000] = 'b'.charCodeAt(0); // inside the 1 KiB chunk (bytes 65,712 to 66,735)
    const decoder = new AwsChunkedDecoder({ kind: 'signed', seed }, 66_560);
    await expect(decode(decoder, body, 4_096)).rejects.toMatchObject({
      code: 'InvalidSignatureException',
    });
  });

  it('refuses chunks whose signatures are swapped, and a chunk with no signature', async () => {
    const seed = await publishedSeed();
    const swapped = Buffer.from(
      publishedBody()
        .toString('latin1')
        .replace(CHUNK_1, 'x')
        .replace(CHUNK_2, CHUNK_1)
        .replace('x', CHUNK_2),
      'latin1',
    );
    await expect(
      decode(new AwsChunkedDecoder({ kind: 'signed', seed }, undefined), swapped, 65_000),
    ).rejects.toMatchObject({ code: 'InvalidSignatureException' });
    const unsigned = Buffer.from('5\r\nhello\r\n0\r\n\r\n');
    await expect(
      decode(new AwsChunkedDecoder({ kind: 'signed', seed }, undefined), unsigned, 64),
    ).rejects.toMatchObject({ code: 'InvalidRequest' });
  });

  it('refuses a truncated body, and one shorter than x-amz-decoded-content-length', async () => {
    const seed = await publishedSeed();
    const body = publishedBody();
    await expect(
      decode(new AwsChunkedDecoder({ kind: 'signed', seed }, 66_560), body.subarray(0, -40), 4_096),
    ).rejects.toMatchObject({ code: 'IncompleteBody' });
    await expect(
      decode(new AwsChunkedDecoder({ kind: 'signed', seed }, 70_000), body, 4_096),
    ).rejects.toMatchObject({ code: 'IncompleteBody' });
  });

  it('checks the signed trailer (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER)', async () => {
    const seed = await publishedSeed('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER');
    const trailer = 'first:1st\r\nsecond:2nd\r\nthird:3rd\r\n';
    const signed = `${trailer}x-amz-trailer-signature:${TRAILER}\r\n`;
    const decoder = new AwsChunkedDecoder({ kind: 'signed', seed }, 66_560);
    expect((await decode(decoder, publishedBody(signed), 10_000)).length).toBe(66_560);
    expect(decoder.trailers.get('second')).toBe('2nd');
    const altered = signed.replace('2nd', '2ND');
    await expect(
      decode(
        new AwsChunkedDecoder({ kind: 'signed', seed }, 66_560),
        publishedBody(altered),
        10_000,
      ),
    ).rejects.toMatchObject({ code: 'InvalidSignatureException' });
  });
});

describe('AwsChunkedDecoder, unsigned chunks with a checksum trailer', () => {
  // What boto3 1.43 sends for put_object(Body=b'hello') over https (inside HTTP chunking).
  const BOTO3_BODY = Buffer.from('5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n');

  it("decodes boto3's body and its CRC32 trailer matches the bytes", async () => {
    const decoder = new AwsChunkedDecoder({ kind: 'unsigned' }, 5);
    const check = new ChecksumCheck('crc32', () => decoder.trailers.get('x-amz-checksum-crc32'));
    const out: Buffer[] = [];
    await pipeline(
      Readable.from([BOTO3_BODY]),
      decoder,
      check,
      async (source: AsyncIterable<Buffer>) => {
        for await (const chunk of source) out.push(chunk);
      },
    );
    expect(Buffer.concat(out).toString()).toBe('hello');
  });

  it('refuses the body when the trailer checksum does not match: BadDigest', async () => {
    const body = Buffer.from(BOTO3_BODY.toString().replace('hello', 'jello'));
    const decoder = new AwsChunkedDecoder({ kind: 'unsigned' }, 5);
    const check = new ChecksumCheck('crc32', () => decoder.trailers.get('x-amz-checksum-crc32'));
    await expect(
      pipeline(Readable.from([body]), decoder, check, async (source: AsyncIterable<Buffer>) => {
        for await (const chunk of source) void chunk;
      }),
    ).rejects.toMatchObject({ code: 'BadDigest' });
  });

  it('refuses data after the final chunk and a malformed chunk size', async () => {
    await expect(
      decode(
        new AwsChunkedDecoder({ kind: 'unsigned' }, undefined),
        Buffer.concat([BOTO3_BODY, Buffer.from('x')]),
        3,
      ),
    ).rejects.toMatchObject({ code: 'InvalidRequest' });
    await expect(
      decode(new AwsChunkedDecoder({ kind: 'unsigned' }, undefined), Buffer.from('zz\r\n'), 3),
    ).rejects.toMatchObject({ code: 'InvalidRequest' });
  });
});
