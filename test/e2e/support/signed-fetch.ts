/**
 * Raw AWS JSON 1.1 requests, signed with the AWS SDK's own SigV4 signer but otherwise built by
 * hand, for protocol checks an SDK would never send (malformed JSON, unknown targets, wrong
 * member types, oversized bodies).
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/** The SHA-256 the signer wants, from node:crypto (HMAC when given a secret). */
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

export interface RawCall {
  /** `CodePipeline_20150709.GetPipeline` unless given; null sends no X-Amz-Target at all. */
  target?: string | null;
  /** Sent exactly as given: a string is not re-encoded, so it may be malformed on purpose. */
  body: string;
  /** False sends the request with no Authorization header. */
  sign?: boolean;
  /** The signing name; `codepipeline` unless given (`iam` for a Query call). */
  service?: string;
  /** `application/x-amz-json-1.1` unless given. */
  contentType?: string;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: Record<string, unknown> | undefined;
}

/** Sends one request to `url`, signed for codepipeline (or `call.service`) in `region` unless told not to. */
export async function rawCall(
  server: {
    url: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  },
  call: RawCall,
): Promise<RawResponse> {
  const url = new URL(server.url);
  const target = call.target === undefined ? 'CodePipeline_20150709.GetPipeline' : call.target;
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': call.contentType ?? 'application/x-amz-json-1.1',
    ...(target === null ? {} : { 'x-amz-target': target }),
  };
  let sent = headers;
  if (call.sign !== false) {
    const signer = new SignatureV4({
      service: call.service ?? 'codepipeline',
      region: server.region,
      credentials: server.credentials,
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      query: {},
      headers,
      body: call.body,
    });
    sent = signed.headers;
  }
  // fetch sets Host itself and refuses to be told.
  const fetchHeaders = { ...sent };
  delete fetchHeaders.host;
  const response = await fetch(new URL('/', url), {
    method: 'POST',
    headers: fetchHeaders,
    body: call.body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: parseJson(text) };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
