import { describe, expect, it } from 'vitest';
import { verifySigV4 } from './verify-sigv4.js';
import type { SigV4Request, VerifySigV4Options } from './verify-sigv4.js';

// Vectors from AWS's original SigV4 test suite, whose clients signed the HTTP `Date` header
// (RFC 1123) instead of X-Amz-Date. Service "host", region us-east-1, key AKIDEXAMPLE.
// Only vectors whose paths need no percent-encoding: that suite encoded paths once, as S3
// does, where every other service (and this verifier) encodes them twice.
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const DATE = 'Mon, 09 Sep 2011 23:36:00 GMT';
const SCOPE = 'AKIDEXAMPLE/20110909/us-east-1/host/aws4_request';

const VECTORS: Array<{ name: string; method: string; path: string; signature: string }> = [
  {
    name: 'get-vanilla',
    method: 'GET',
    path: '/',
    signature: 'b27ccfbfa7df52a200ff74193ca6e32d4b48b8856fab7ebf1c595d0670a7e470',
  },
  {
    name: 'get-relative-relative',
    method: 'GET',
    path: '/foo/bar/../..',
    signature: 'b27ccfbfa7df52a200ff74193ca6e32d4b48b8856fab7ebf1c595d0670a7e470',
  },
  {
    name: 'get-slash-pointless-dot',
    method: 'GET',
    path: '/./foo',
    signature: '910e4d6c9abafaf87898e1eb4c929135782ea25bb0279703146455745391e63a',
  },
  {
    name: 'get-slashes',
    method: 'GET',
    path: '//foo//',
    signature: 'b00392262853cfe3201e47ccf945601079e9b8a7f51ee4c3d9ee4f187aa9bf19',
  },
  {
    name: 'get-unreserved',
    method: 'GET',
    path: '/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    signature: '830cc36d03f0f84e6ee4953fbe701c1c8b71a0372c63af9255aa364dd183281e',
  },
  {
    name: 'get-vanilla-empty-query-key',
    method: 'GET',
    path: '/?foo=bar',
    signature: '56c054473fd260c13e4e7393eb203662195f5d4a1fada5314b8b52b23f985e9f',
  },
  {
    name: 'get-vanilla-query-order-key',
    method: 'GET',
    path: '/?a=foo&b=foo',
    signature: '0dc122f3b28b831ab48ba65cb47300de53fbe91b577fe113edac383730254a3b',
  },
  {
    name: 'get-vanilla-query-order-value',
    method: 'GET',
    path: '/?foo=b&foo=a',
    signature: 'feb926e49e382bec75c9d7dcb2a1b6dc8aa50ca43c25d2bc51143768c0875acc',
  },
  {
    name: 'get-vanilla-query-order-key-case',
    method: 'GET',
    path: '/?foo=Zoo&foo=aha',
    signature: 'be7148d34ebccdc6423b19085378aa0bee970bdc61d144bd1a8c48c33079ab09',
  },
];

function request(path: string, method: string, signature: string): SigV4Request {
  return {
    method,
    path,
    headers: {
      host: 'host.foo.com',
      date: DATE,
      authorization: `AWS4-HMAC-SHA256 Credential=${SCOPE}, SignedHeaders=date;host, Signature=${signature}`,
    },
    body: Buffer.alloc(0),
  };
}

const OPTIONS: VerifySigV4Options = {
  service: 'host',
  lookupCredential: () => Promise.resolve({ secretAccessKey: SECRET }),
  nowMs: Date.parse(DATE),
};

describe('verifySigV4 with a signed Date header', () => {
  for (const vector of VECTORS) {
    it(`accepts ${vector.name}`, async () => {
      const verified = await verifySigV4(
        request(vector.path, vector.method, vector.signature),
        OPTIONS,
      );
      expect(verified).toEqual({
        accessKeyId: 'AKIDEXAMPLE',
        region: 'us-east-1',
        service: 'host',
        signedHeaders: ['date', 'host'],
      });
    });
  }

  it('accepts get-header-value-trim, whose signed value has outer spaces', async () => {
    const signed = request(
      '/',
      'POST',
      'debf546796015d6f6ded8626f5ce98597c33b47b9164cf6b17b4642036fcb592',
    );
    signed.headers.p = ' phfft ';
    signed.headers.authorization = String(signed.headers.authorization).replace(
      'date;host',
      'date;host;p',
    );
    await expect(verifySigV4(signed, OPTIONS)).resolves.toBeDefined();
  });

  it('refuses the same request when the Date header changed', async () => {
    const signed = request(
      '/',
      'GET',
      'b27ccfbfa7df52a200ff74193ca6e32d4b48b8856fab7ebf1c595d0670a7e470',
    );
    signed.headers.date = 'Mon, 09 Sep 2011 23:36:01 GMT';
    await expect(verifySigV4(signed, OPTIONS)).rejects.toMatchObject({
      code: 'InvalidSignatureException',
    });
  });

  it('applies the clock-skew window to the Date header', async () => {
    const signed = request(
      '/',
      'GET',
      'b27ccfbfa7df52a200ff74193ca6e32d4b48b8856fab7ebf1c595d0670a7e470',
    );
    const late = { ...OPTIONS, nowMs: OPTIONS.nowMs + 6 * 60_000 };
    await expect(verifySigV4(signed, late)).rejects.toThrow(
      /^Signature expired: 20110909T233600Z /,
    );
  });
});
