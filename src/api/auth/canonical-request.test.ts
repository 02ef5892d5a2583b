import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildCanonicalRequest,
  canonicalQueryString,
  canonicalUri,
  uriEncode,
} from './canonical-request.js';

describe('buildCanonicalRequest', () => {
  // The aws-cli v2 capture and the canonical request printed beside it in wire-captures.md.
  const headers = {
    host: '127.0.0.1:5058',
    'accept-encoding': 'identity',
    'x-amz-target': 'CodePipeline_20150709.ListPipelines',
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-date': '20261121T230643Z',
    'content-length': '2',
  };
  const signedHeaders = ['content-type', 'host', 'x-amz-date', 'x-amz-target'];
  const payloadHash = createHash('sha256').update('{}').digest('hex');

  it('reproduces the canonical request of the aws-cli v2 capture', () => {
    const canonical = buildCanonicalRequest({
      method: 'POST',
      path: '/',
      headers,
      signedHeaders,
      payloadHash,
    });
    expect(canonical).toBe(
      [
        'POST',
        '/',
        '',
        'content-type:application/x-amz-json-1.1',
        'host:127.0.0.1:5058',
        'x-amz-date:20261121T230643Z',
        'x-amz-target:CodePipeline_20150709.ListPipelines',
        '',
        'content-type;host;x-amz-date;x-amz-target',
        '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
      ].join('\n'),
    );
    // The hash line of the string to sign printed in the capture.
    expect(createHash('sha256').update(canonical).digest('hex')).toBe(
      '74ee80b1dd7e5530b506d2fbfbfd3887aad34fc605522c13603b170f23a37535',
    );
  });

  it('joins repeated header values with commas after trimming each', () => {
    const canonical = buildCanonicalRequest({
      method: 'GET',
      path: '/',
      headers: { host: 'h', 'x-multi': ['  a  b ', 'c'] },
      signedHeaders: ['host', 'x-multi'],
      payloadHash: 'p',
    });
    expect(canonical).toContain('\nx-multi:a b,c\n');
  });

  it('refuses a signed header the request does not carry', () => {
    const build = () =>
      buildCanonicalRequest({
        method: 'GET',
        path: '/',
        headers: { host: 'h' },
        signedHeaders: ['host', 'x-gone'],
        payloadHash: 'p',
      });
    expect(build).toThrow(expect.objectContaining({ code: 'InvalidSignatureException' }));
  });
});

describe('canonicalUri', () => {
  it.each([
    ['/', '/'],
    ['', '/'],
    ['//', '/'],
    ['/foo/bar/../..', '/'],
    ['//foo//', '/foo/'],
    ['/./foo', '/foo'],
    ['/a/./b/../c/', '/a/c/'],
    // Already encoded once by the client; SigV4 encodes again for every service but S3.
    ['/my%20pipeline', '/my%2520pipeline'],
    ['/a%2Fb', '/a%252Fb'],
    ['/-._~AZaz09', '/-._~AZaz09'],
    ["/!$&'()*+,;=:@", '/%21%24%26%27%28%29%2A%2B%2C%3B%3D%3A%40'],
  ])('canonicalises %j as %j', (raw, expected) => {
    expect(canonicalUri(raw)).toBe(expected);
  });
});

describe('canonicalQueryString', () => {
  it.each([
    ['', ''],
    ['b=2&a=1', 'a=1&b=2'],
    ['foo=b&foo=a', 'foo=a&foo=b'],
    ['foo=Zoo&foo=aha', 'foo=Zoo&foo=aha'],
    ['flag', 'flag='],
    ['a=1&&b=2&', 'a=1&b=2'],
    // Escapes are decoded then re-encoded, so equivalent spellings agree.
    ['t=%7e&u=~&v=%7E', 't=~&u=~&v=~'],
    ['x=a%2fb', 'x=a%2Fb'],
    ['s=a%20b', 's=a%20b'],
    ['p=a+b', 'p=a%2Bb'],
    ['e=%C3%A9&raw=é', 'e=%C3%A9&raw=%C3%A9'],
    ['bin=%FF', 'bin=%FF'],
    ['pct=100%', 'pct=100%25'],
    ['k=a=b', 'k=a%3Db'],
  ])('canonicalises %j as %j', (raw, expected) => {
    expect(canonicalQueryString(raw)).toBe(expected);
  });

  it('reads the query string from the request target', () => {
    const canonical = buildCanonicalRequest({
      method: 'GET',
      path: '/p?z=1&a=%7e',
      headers: { host: 'h' },
      signedHeaders: ['host'],
      payloadHash: 'p',
    });
    expect(canonical.split('\n').slice(0, 3)).toEqual(['GET', '/p', 'a=~&z=1']);
  });
});

describe('uriEncode', () => {
  it('encodes UTF-8 bytes in upper-case hex and leaves unreserved characters', () => {
    expect(uriEncode('ሴ é/~')).toBe('%E1%88%B4%20%C3%A9%2F~');
  });
});
