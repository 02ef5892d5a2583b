import { createHash, createHmac } from 'node:crypto';
import type { Hash, Hmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { SignatureV4 } from '@smithy/signature-v4';
import { buildQueryString, HttpRequest } from '@smithy/core/protocols';
import { verifySigV4 } from './verify-sigv4.js';
import type { SigV4Credential, SigV4Request, VerifiedSigV4 } from './verify-sigv4.js';

// Requests signed by the AWS SDK's own signer, then verified as a server would receive them.

/** The SHA-256 the signer wants, from node:crypto. */
class Sha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256');
    const key =
      typeof this.secret === 'string'
        ? Buffer.from(this.secret, 'utf8')
        : ArrayBuffer.isView(this.secret)
          ? Buffer.from(this.secret.buffer, this.secret.byteOffset, this.secret.byteLength)
          : Buffer.from(this.secret);
    return createHmac('sha256', key);
  }
}

const NOW_MS = Date.parse('2026-11-21T23:06:43Z');

interface SignInput {
  method?: string;
  /** The path as the SDK puts it on the wire (labels already percent-encoded). */
  path?: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
  service?: string;
  sessionToken?: string;
}

async function sign(input: SignInput = {}): Promise<SigV4Request> {
  const signer = new SignatureV4({
    service: input.service ?? 'codepipeline',
    region: 'us-east-1',
    credentials: {
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'secret',
      ...(input.sessionToken === undefined ? {} : { sessionToken: input.sessionToken }),
    },
    sha256: Sha256,
  });
  const request = new HttpRequest({
    method: input.method ?? 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 7700,
    path: input.path ?? '/',
    query: input.query ?? {},
    headers: {
      host: '127.0.0.1:7700',
      'content-type': 'application/x-amz-json-1.1',
      ...input.headers,
    },
    ...(input.body === undefined ? {} : { body: input.body }),
  });
  const signed = await signer.sign(request, { signingDate: new Date(NOW_MS) });
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value;
  const query = buildQueryString(input.query ?? {});
  return {
    method: signed.method,
    path: query === '' ? signed.path : `${signed.path}?${query}`,
    headers,
    body: Buffer.from(input.body ?? '', 'utf8'),
  };
}

function verify(
  request: SigV4Request,
  credential: SigV4Credential = { secretAccessKey: 'secret' },
): Promise<VerifiedSigV4> {
  return verifySigV4(request, {
    service: 'codepipeline',
    lookupCredential: (id) => Promise.resolve(id === 'AKIDEXAMPLE' ? credential : undefined),
    nowMs: NOW_MS,
  });
}

const INVALID_TOKEN = {
  code: 'UnrecognizedClientException',
  message: 'The security token included in the request is invalid.',
};

describe('verifySigV4 on requests signed by @smithy/signature-v4', () => {
  it('accepts a JSON request', async () => {
    const request = await sign({ body: '{"name":"p"}' });
    await expect(verify(request)).resolves.toMatchObject({ accessKeyId: 'AKIDEXAMPLE' });
  });

  const paths = [
    '/pipelines/my%20pipeline',
    '/a%2Fb/%C3%A9t%C3%A9/%25/%7E~',
    '/x/./y/../z/',
    '//double//slashes',
    "/sub-delims!$&'()*+,;=:@",
  ];
  for (const path of paths) {
    it(`accepts the path ${path}`, async () => {
      const request = await sign({ method: 'GET', path });
      await expect(verify(request)).resolves.toBeDefined();
    });
  }

  it('accepts a query string needing encoding, in any order, with repeated names', async () => {
    const request = await sign({
      method: 'GET',
      path: '/pipelines',
      query: { z: 'last', a: 'x y+z/?', b: ['2', '1', '10'], 'c~': '', é: 'ü&=', '*': "'!()" },
    });
    expect(request.path).toContain('?');
    await expect(verify(request)).resolves.toBeDefined();
    // Order on the wire does not matter; the canonical form sorts.
    const [path = '', query = ''] = request.path.split('?');
    const shuffled = { ...request, path: `${path}?${query.split('&').reverse().join('&')}` };
    await expect(verify(shuffled)).resolves.toBeDefined();
  });

  it('refuses a query string changed after signing', async () => {
    const request = await sign({ method: 'GET', path: '/p', query: { maxResults: '10' } });
    const changed = { ...request, path: request.path.replace('10', '1000') };
    await expect(verify(changed)).rejects.toMatchObject({ code: 'InvalidSignatureException' });
  });

  it('refuses a request validly signed for another service', async () => {
    const request = await sign({ service: 's3' });
    await expect(verify(request)).rejects.toMatchObject({
      code: 'InvalidSignatureException',
      message: "Credential should be scoped to correct service: 'codepipeline'.",
    });
  });

  it('accepts UNSIGNED-PAYLOAD when the client declares it', async () => {
    const request = await sign({
      body: '{}',
      headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    await expect(verify(request)).resolves.toBeDefined();
  });
});

describe('verifySigV4 session tokens', () => {
  const temporary = { secretAccessKey: 'secret', sessionToken: 'session-token-1' };

  it('accepts the matching token and reports it', async () => {
    const request = await sign({ body: '{}', sessionToken: 'session-token-1' });
    expect(request.headers['x-amz-security-token']).toBe('session-token-1');
    const verified = await verify(request, temporary);
    expect(verified.securityToken).toBe('session-token-1');
    expect(verified.signedHeaders).toContain('x-amz-security-token');
  });

  it('requires the token when the credential has one', async () => {
    const request = await sign({ body: '{}' });
    await expect(verify(request, temporary)).rejects.toMatchObject(INVALID_TOKEN);
  });

  it('refuses a token other than the credential one', async () => {
    const request = await sign({ body: '{}', sessionToken: 'session-token-2' });
    await expect(verify(request, temporary)).rejects.toMatchObject(INVALID_TOKEN);
  });

  it('refuses a token sent with a long-term key', async () => {
    const request = await sign({ body: '{}', sessionToken: 'session-token-1' });
    await expect(verify(request)).rejects.toMatchObject(INVALID_TOKEN);
  });

  it('refuses a signed token swapped after signing', async () => {
    const request = await sign({ body: '{}', sessionToken: 'session-token-2' });
    const swapped = {
      ...request,
      headers: { ...request.headers, 'x-amz-security-token': 'session-token-1' },
    };
    await expect(verify(swapped, temporary)).rejects.toMatchObject({
      code: 'InvalidSignatureException',
    });
  });
});
