import { describe, expect, it } from 'vitest';
import type { IncomingHttpHeaders } from 'node:http';
import { verifySigV4 } from './verify-sigv4.js';
import type { SigV4Credential, SigV4Request, VerifySigV4Options } from './verify-sigv4.js';

// Requests exactly as captured in ../shared/reference/wire-captures.md (AKIDEXAMPLE / secret).
const CAPTURES: Record<string, string> = {
  'aws-cli 2.9.19': `POST / HTTP/1.1
Host: 127.0.0.1:5058
Accept-Encoding: identity
X-Amz-Target: CodePipeline_20150709.ListPipelines
Content-Type: application/x-amz-json-1.1
User-Agent: aws-cli/2.9.19 Python/3.11.2 Linux/6.18.44-fc-v669 source/x86_64.debian.12 prompt/off command/codepipeline.list-pipelines
X-Amz-Date: 20261121T230643Z
Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261121/us-east-1/codepipeline/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=43a9eb879d30a027742d699bbd9b2716810d3d2fc5cae93613f2fd563be7eeaf
Content-Length: 2

{}`,
  'aws-cli 1.45.11': `POST / HTTP/1.1
Host: 127.0.0.1:5058
Accept-Encoding: identity
X-Amz-Target: CodePipeline_20150709.ListPipelines
Content-Type: application/x-amz-json-1.1
User-Agent: aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.18.44-fc-v669 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/N,b,D,g,C,Z cfg/retry-mode#legacy botocore/1.43.11
X-Amz-Date: 20261121T230645Z
Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261121/us-east-1/codepipeline/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=bc8c3e40562def9e4ea39ddd8b3374c1d0730d856bcc1ec7fed6f20a9dafef1d
amz-sdk-invocation-id: 9e88cad3-19cd-4956-8cc0-76a63bfcf8ca
amz-sdk-request: attempt=1
Content-Length: 2

{}`,
  'boto3 1.26.27': `POST / HTTP/1.1
Accept-Encoding: identity
X-Amz-Target: CodePipeline_20150709.ListPipelines
Content-Type: application/x-amz-json-1.1
User-Agent: Boto3/1.26.27 Python/3.11.2 Linux/6.18.44-fc-v669 awscrt/1.0.0.dev0 Botocore/1.29.27
host: 127.0.0.1:5058
X-Amz-Date: 20261121T230645Z
Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261121/us-east-1/codepipeline/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=bc8c3e40562def9e4ea39ddd8b3374c1d0730d856bcc1ec7fed6f20a9dafef1d
amz-sdk-invocation-id: 589ca18b-7c95-45ab-a477-11e8f71326a6
amz-sdk-request: attempt=1
Content-Length: 2

{}`,
  'boto3 1.43.11': `POST / HTTP/1.1
Host: 127.0.0.1:5058
Accept-Encoding: identity
X-Amz-Target: CodePipeline_20150709.ListPipelines
Content-Type: application/x-amz-json-1.1
User-Agent: Boto3/1.43.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.18.44-fc-v669 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/b,N,g,Z,D cfg/retry-mode#legacy Botocore/1.43.11
X-Amz-Date: 20261121T230646Z
Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261121/us-east-1/codepipeline/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=1adf6963352c5ee1496d4e81d6824bf2f0e704f8cc6f03ea7cdf593ed7c06ba5
amz-sdk-invocation-id: 5c2d1801-7a84-49fe-84e8-fe6203cc42c0
amz-sdk-request: attempt=1
Content-Length: 2

{}`,
  'js-sdk ListPipelines': `POST /
content-type: application/x-amz-json-1.1
x-amz-target: CodePipeline_20150709.ListPipelines
content-length: 2
x-amz-user-agent: aws-sdk-js/3.1137.0
user-agent: aws-sdk-js/3.1137.0 ua/2.1 os/linux#6.18.44-fc-v669 lang/js md/nodejs#20.20.2 api/codepipeline#3.1137.0 m/N,E,e
host: 127.0.0.1:5058
amz-sdk-invocation-id: 8da6b708-a885-48ee-8ca2-8eb6e9537890
amz-sdk-request: attempt=1; max=3
x-amz-date: 20261121T230707Z
x-amz-content-sha256: 44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a
authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261121/us-east-1/codepipeline/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent, Signature=a8f5877429e10138a5d564f0f780537982dd7a977d0e7a5064db1fd79312d5eb
Connection: keep-alive

{}`,
  'js-sdk GetPipeline': `POST /
content-type: application/x-amz-json-1.1
x-amz-target: CodePipeline_20150709.GetPipeline
content-length: 15
x-amz-user-agent: aws-sdk-js/3.1137.0
user-agent: aws-sdk-js/3.1137.0 ua/2.1 os/linux#6.18.44-fc-v669 lang/js md/nodejs#20.20.2 api/codepipeline#3.1137.0 m/N,E,e
host: 127.0.0.1:5058
amz-sdk-invocation-id: 977fd94b-b753-4dc0-92cb-a3fc0b4464a8
amz-sdk-request: attempt=1; max=3
x-amz-date: 20261121T230707Z
x-amz-content-sha256: 3ae67efe48d38875785cc946721db4b43067b5885c68244548b1c6c3f6d77eb0
authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261121/us-east-1/codepipeline/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent, Signature=0ccb01323ae6fd5f71dc3ef7b2dd6de40bd16aae6a102fa14e4bc8c14f08b905
Connection: keep-alive

{"name":"nope"}`,
};

/** Turns a captured request into what Node hands the server: lower-case header names. */
function parseCapture(raw: string): SigV4Request {
  const [head = '', body = ''] = raw.split('\n\n');
  const [requestLine = '', ...headerLines] = head.split('\n');
  const [method = '', path = ''] = requestLine.split(' ');
  const headers: IncomingHttpHeaders = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { method, path, headers, body: Buffer.from(body, 'utf8') };
}

function capture(name: string): SigV4Request {
  const raw = CAPTURES[name];
  if (raw === undefined) throw new Error(`no capture ${name}`);
  return parseCapture(raw);
}

function amzDateMs(request: SigV4Request): number {
  const value = String(request.headers['x-amz-date']);
  const iso = value.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z');
  return Date.parse(iso);
}

function options(
  request: SigV4Request,
  overrides: Partial<VerifySigV4Options> = {},
  credential: SigV4Credential | undefined = { secretAccessKey: 'secret' },
): VerifySigV4Options {
  return {
    service: 'codepipeline',
    lookupCredential: (id) => Promise.resolve(id === 'AKIDEXAMPLE' ? credential : undefined),
    nowMs: amzDateMs(request),
    ...overrides,
  };
}

function withHeaders(request: SigV4Request, headers: IncomingHttpHeaders): SigV4Request {
  return { ...request, headers: { ...request.headers, ...headers } };
}

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your ' +
  'AWS Secret Access Key and signing method. Consult the service documentation for details.';

describe('verifySigV4 on captured client requests', () => {
  for (const name of Object.keys(CAPTURES)) {
    it(`accepts ${name}`, async () => {
      const request = capture(name);
      const verified = await verifySigV4(request, options(request));
      expect(verified).toEqual({
        accessKeyId: 'AKIDEXAMPLE',
        region: 'us-east-1',
        service: 'codepipeline',
        signedHeaders: expect.arrayContaining(['host', 'x-amz-date', 'x-amz-target']) as unknown,
      });
    });

    it(`refuses ${name} when the secret is wrong`, async () => {
      const request = capture(name);
      const verifying = verifySigV4(request, options(request, {}, { secretAccessKey: 'wrong' }));
      await expect(verifying).rejects.toMatchObject({
        code: 'InvalidSignatureException',
        message: MISMATCH,
      });
    });
  }

  it('returns the signed headers in the client order, lower-cased', async () => {
    const request = capture('aws-cli 2.9.19');
    const verified = await verifySigV4(request, options(request));
    expect(verified.signedHeaders).toEqual(['content-type', 'host', 'x-amz-date', 'x-amz-target']);
  });
});

describe('verifySigV4 against tampering', () => {
  it('refuses a changed body when the hash was not declared', async () => {
    const request = { ...capture('aws-cli 2.9.19'), body: Buffer.from('{"a":1}') };
    await expect(verifySigV4(request, options(request))).rejects.toMatchObject({
      code: 'InvalidSignatureException',
      message: MISMATCH,
    });
  });

  it('refuses a changed body that no longer matches x-amz-content-sha256', async () => {
    const request = { ...capture('js-sdk GetPipeline'), body: Buffer.from('{"name":"prod"}') };
    await expect(verifySigV4(request, options(request))).rejects.toMatchObject({
      code: 'InvalidSignatureException',
      message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
    });
  });

  it('refuses a signed header that was changed', async () => {
    const request = withHeaders(capture('js-sdk GetPipeline'), {
      'x-amz-target': 'CodePipeline_20150709.DeletePipeline',
    });
    await expect(verifySigV4(request, options(request))).rejects.toMatchObject({
      code: 'InvalidSignatureException',
      message: MISMATCH,
    });
  });

  it('refuses a signed header that was removed', async () => {
    const request = withHeaders(capture('js-sdk GetPipeline'), { 'amz-sdk-request': undefined });
    await expect(verifySigV4(request, options(request))).rejects.toMatchObject({
      code: 'InvalidSignatureException',
    });
  });

  it('accepts changes to headers that were not signed', async () => {
    const request = withHeaders(capture('aws-cli 1.45.11'), {
      'user-agent': 'something-else/1.0',
      'amz-sdk-invocation-id': 'changed',
      'x-forwarded-for': '10.0.0.1',
    });
    await expect(verifySigV4(request, options(request))).resolves.toMatchObject({
      accessKeyId: 'AKIDEXAMPLE',
    });
  });

  it('accepts a signed header value with extra outer and inner whitespace', async () => {
    // Canonical form trims and collapses runs of spaces, so a proxy re-spacing it is harmless.
    const request = withHeaders(capture('js-sdk ListPipelines'), {
      'amz-sdk-request': '  attempt=1;   max=3 ',
    });
    await expect(verifySigV4(request, options(request))).resolves.toBeDefined();
  });
});

describe('verifySigV4 clock skew', () => {
  const request = capture('aws-cli 2.9.19'); // signed 20261121T230643Z
  const signedMs = amzDateMs(request);

  it('refuses a signature older than five minutes, in AWS words', async () => {
    const verifying = verifySigV4(request, options(request, { nowMs: signedMs + 15 * 60_000 }));
    await expect(verifying).rejects.toMatchObject({
      code: 'InvalidSignatureException',
      message:
        'Signature expired: 20261121T230643Z is now earlier than 20261121T231643Z ' +
        '(20261121T232143Z - 5 min.)',
    });
  });

  it('refuses a signature from more than five minutes in the future', async () => {
    const verifying = verifySigV4(request, options(request, { nowMs: signedMs - 15 * 60_000 }));
    await expect(verifying).rejects.toMatchObject({
      code: 'InvalidSignatureException',
      message:
        'Signature not yet current: 20261121T230643Z is still later than 20261121T225643Z ' +
        '(20261121T225143Z + 5 min.)',
    });
  });

  it('accepts a signature exactly at either edge of the window', async () => {
    for (const nowMs of [signedMs + 5 * 60_000, signedMs - 5 * 60_000]) {
      await expect(verifySigV4(request, options(request, { nowMs }))).resolves.toBeDefined();
    }
  });

  it('honours a configured window', async () => {
    const verifying = verifySigV4(
      request,
      options(request, { nowMs: signedMs + 2 * 60_000, clockSkewMs: 60_000 }),
    );
    await expect(verifying).rejects.toThrow(/ \(20261121T230843Z - 1 min\.\)$/);
  });
});

describe('verifySigV4 refusals', () => {
  const cli = capture('aws-cli 2.9.19');
  const auth = String(cli.headers.authorization);

  async function refusal(request: SigV4Request, overrides: Partial<VerifySigV4Options> = {}) {
    const error: unknown = await verifySigV4(request, options(cli, overrides)).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error, 'the request was accepted').toBeDefined();
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }

  it('says MissingAuthenticationTokenException without an Authorization header', async () => {
    expect(await refusal(withHeaders(cli, { authorization: undefined }))).toEqual({
      code: 'MissingAuthenticationTokenException',
      message: 'Missing Authentication Token',
    });
  });

  it('treats a non-SigV4 Authorization header as no token', async () => {
    const result = await refusal(withHeaders(cli, { authorization: 'Bearer abc.def' }));
    expect(result.code).toBe('MissingAuthenticationTokenException');
  });

  it('names every missing parameter', async () => {
    const header =
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261121/us-east-1/codepipeline/aws4_request';
    expect(await refusal(withHeaders(cli, { authorization: header }))).toEqual({
      code: 'IncompleteSignatureException',
      message:
        "Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. " +
        `Authorization=${header}`,
    });
  });

  it('names a missing date header in the same message', async () => {
    const result = await refusal(withHeaders(cli, { 'x-amz-date': undefined }));
    expect(result.code).toBe('IncompleteSignatureException');
    expect(result.message).toMatch(
      /^Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header\. /,
    );
  });

  it('refuses a parameter without an equal sign', async () => {
    const header = auth.replace('Credential=AKIDEXAMPLE', 'Credential= AKIDEXAMPLE');
    const result = await refusal(withHeaders(cli, { authorization: header }));
    expect(result.code).toBe('IncompleteSignatureException');
    expect(result.message).toMatch(
      /^'AKIDEXAMPLE\/20261121\/us-east-1\/codepipeline\/aws4_request' not a valid key=value pair/,
    );
  });

  it('refuses a malformed date', async () => {
    expect(await refusal(withHeaders(cli, { 'x-amz-date': '2026-11-21T23:06:43Z' }))).toEqual({
      code: 'IncompleteSignatureException',
      message:
        "Date must be in ISO-8601 'basic format'. Got '2026-11-21T23:06:43Z'. " +
        'See http://en.wikipedia.org/wiki/ISO_8601',
    });
  });

  it('requires host and the date header to be signed', async () => {
    const noHost = auth.replace('content-type;host;', 'content-type;');
    expect(await refusal(withHeaders(cli, { authorization: noHost }))).toEqual({
      code: 'InvalidSignatureException',
      message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    });
    const noDate = auth.replace(';x-amz-date;', ';');
    expect(await refusal(withHeaders(cli, { authorization: noDate }))).toEqual({
      code: 'InvalidSignatureException',
      message: "'X-Amz-Date' or 'Date' must be a 'SignedHeader' in the AWS Authorization.",
    });
  });

  it('refuses another algorithm', async () => {
    const header = auth.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512');
    expect(await refusal(withHeaders(cli, { authorization: header }))).toEqual({
      code: 'IncompleteSignatureException',
      message: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now).",
    });
  });

  it('refuses a credential that is not five elements', async () => {
    const header = auth.replace('/codepipeline/aws4_request', '/aws4_request');
    const result = await refusal(withHeaders(cli, { authorization: header }));
    expect(result).toEqual({
      code: 'IncompleteSignatureException',
      message:
        'Credential must have exactly 5 slash-delimited elements, e.g. ' +
        "keyid/date/region/service/term, got 'AKIDEXAMPLE/20261121/us-east-1/aws4_request'",
    });
  });

  it('refuses a request scoped to another service', async () => {
    expect(await refusal(cli, { service: 'iam' })).toEqual({
      code: 'InvalidSignatureException',
      message: "Credential should be scoped to correct service: 'iam'.",
    });
  });

  it('refuses a scope date other than the signing date', async () => {
    const header = auth.replace('/20261121/', '/20261120/');
    expect(await refusal(withHeaders(cli, { authorization: header }))).toEqual({
      code: 'InvalidSignatureException',
      message:
        'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from ' +
        "HTTP: '20261120' != '20261121', from '20261121T230643Z'.",
    });
  });

  it('says UnrecognizedClientException for an unknown access key', async () => {
    const lookupCredential = () => Promise.resolve(undefined);
    expect(await refusal(cli, { lookupCredential })).toEqual({
      code: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
  });

  it('never puts the expected signature or the secret in a message', async () => {
    const tampered = withHeaders(cli, { 'x-amz-target': 'CodePipeline_20150709.DeletePipeline' });
    const { message } = await refusal(tampered);
    expect(message).not.toMatch(/[0-9a-f]{64}/);
    expect(message).not.toContain('secret');
  });

  it('tolerates parameters separated by bare commas or bare spaces', async () => {
    for (const header of [auth.replace(/, /g, ','), auth.replace(/, /g, '   ')]) {
      const request = withHeaders(cli, { authorization: header });
      await expect(verifySigV4(request, options(cli))).resolves.toBeDefined();
    }
  });
});
