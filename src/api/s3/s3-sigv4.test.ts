/**
 * SigV4 as S3 speaks it, checked against the worked examples in AWS's S3 documentation
 * ("Signature Calculations for the Authorization Header" and "Query String Authentication"):
 * the signatures there were computed by AWS, so passing means agreeing with S3, not with
 * ourselves. Credentials, dates and expected signatures are AWS's published ones.
 */
import { describe, expect, it } from 'vitest';
import { buildCanonicalRequest, canonicalS3Uri } from '../auth/canonical-request.js';
import { verifySigV4, type SigV4Request } from '../auth/verify-sigv4.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const EXAMPLE_TIME_MS = Date.UTC(2013, 4, 24);
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const HOST = 'examplebucket.s3.amazonaws.com';

const verify = (request: SigV4Request, nowMs = EXAMPLE_TIME_MS) =>
  verifySigV4(request, {
    service: 's3',
    s3: true,
    nowMs,
    lookupCredential: (id) =>
      Promise.resolve(id === 'AKIAIOSFODNN7EXAMPLE' ? { secretAccessKey: SECRET } : undefined),
  });

const authorization = (signedHeaders: string, signature: string) =>
  'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,' +
  `SignedHeaders=${signedHeaders},Signature=${signature}`;

describe('S3 canonical URI', () => {
  it('encodes the path once and keeps empty and dot segments, unlike other services', () => {
    expect(canonicalS3Uri('/bucket/a//b/./c/../d')).toBe('/bucket/a//b/./c/../d');
    expect(canonicalS3Uri('/bucket/a%20b/%7e/~')).toBe('/bucket/a%20b/~/~');
    expect(canonicalS3Uri('/test$file.text')).toBe('/test%24file.text');
    expect(canonicalS3Uri('/photos/2026/%E2%82%AC.jpg')).toBe('/photos/2026/%E2%82%AC.jpg');
    expect(canonicalS3Uri('')).toBe('/');
  });

  it('puts the S3 URI into the canonical request and can leave a query parameter out', () => {
    const canonical = buildCanonicalRequest({
      method: 'GET',
      path: '/b/k%2Fx?X-Amz-Signature=abc&versionId=1',
      headers: { host: 'h' },
      signedHeaders: ['host'],
      payloadHash: 'UNSIGNED-PAYLOAD',
      s3: true,
      omitQueryParameter: 'X-Amz-Signature',
    });
    expect(canonical.split('\n').slice(0, 3)).toEqual(['GET', '/b/k%2Fx', 'versionId=1']);
  });
});

describe('verifySigV4 for S3, on the examples in the S3 documentation', () => {
  it('GET Object with a Range header', async () => {
    const request: SigV4Request = {
      method: 'GET',
      path: '/test.txt',
      headers: {
        host: HOST,
        range: 'bytes=0-9',
        'x-amz-content-sha256': EMPTY_SHA256,
        'x-amz-date': '20130524T000000Z',
        authorization: authorization(
          'host;range;x-amz-content-sha256;x-amz-date',
          'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
        ),
      },
    };
    await expect(verify(request)).resolves.toMatchObject({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE' });
    const ranged = { ...request, headers: { ...request.headers, range: 'bytes=0-10' } };
    await expect(verify(ranged)).rejects.toMatchObject({ code: 'InvalidSignatureException' });
  });

  it('PUT Object whose key needs encoding ($), with its payload hash checked', async () => {
    const body = Buffer.from('Welcome to Amazon S3.');
    const request: SigV4Request = {
      method: 'PUT',
      path: '/test$file.text',
      body,
      headers: {
        host: HOST,
        date: 'Fri, 24 May 2013 00:00:00 GMT',
        'x-amz-date': '20130524T000000Z',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        'x-amz-content-sha256': '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
        authorization: authorization(
          'date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class',
          '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
        ),
      },
    };
    await expect(verify(request)).resolves.toMatchObject({ region: 'us-east-1', service: 's3' });
    // Encoded by the client as %24 or not at all, it is the same key and the same signature.
    await expect(verify({ ...request, path: '/test%24file.text' })).resolves.toBeDefined();
    await expect(
      verify({ ...request, body: Buffer.from('Welcome to Amazon S4.') }),
    ).rejects.toMatchObject({
      message: expect.stringContaining("'x-amz-content-sha256'") as string,
    });
    // Streamed (no body at hand): the declared hash signs, and the seed says what to check.
    const streamed = await verify({ ...request, body: undefined });
    expect(streamed.seed).toMatchObject({
      payloadHash: '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
      signature: '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
      amzDate: '20130524T000000Z',
      credentialScope: '20130524/us-east-1/s3/aws4_request',
    });
  });

  it('requires x-amz-content-sha256 and refuses a value that is no hash or mode', async () => {
    const request: SigV4Request = {
      method: 'GET',
      path: '/test.txt',
      headers: {
        host: HOST,
        'x-amz-date': '20130524T000000Z',
        authorization: authorization('host;x-amz-date', '0'.repeat(64)),
      },
    };
    await expect(verify(request)).rejects.toMatchObject({ code: 'InvalidRequest' });
    const odd = { ...request, headers: { ...request.headers, 'x-amz-content-sha256': 'abc' } };
    await expect(verify(odd)).rejects.toMatchObject({ code: 'InvalidArgument' });
  });

  it('a presigned GET URL, within its lifetime only', async () => {
    const url =
      '/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256' +
      '&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
      '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host' +
      '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';
    const request: SigV4Request = { method: 'GET', path: url, headers: { host: HOST } };
    await expect(verify(request, EXAMPLE_TIME_MS + 3_600_000)).resolves.toMatchObject({
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      seed: { payloadHash: 'UNSIGNED-PAYLOAD' },
    });
    await expect(verify(request, EXAMPLE_TIME_MS + 86_401_000)).rejects.toMatchObject({
      code: 'AccessDeniedException',
      message: 'Request has expired',
    });
    const other = { ...request, path: url.replace('/test.txt', '/test2.txt') };
    await expect(verify(other, EXAMPLE_TIME_MS)).rejects.toMatchObject({
      code: 'InvalidSignatureException',
    });
  });

  it('accepts presigned URLs only for S3', async () => {
    const request: SigV4Request = {
      method: 'GET',
      path: '/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a',
      headers: { host: HOST },
      body: Buffer.alloc(0),
    };
    await expect(
      verifySigV4(request, {
        service: 'codepipeline',
        nowMs: EXAMPLE_TIME_MS,
        lookupCredential: () => Promise.resolve(undefined),
      }),
    ).rejects.toMatchObject({ code: 'MissingAuthenticationTokenException' });
  });
});
