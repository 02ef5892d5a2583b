/**
 * A client for Lockstep's own operations (`Lockstep_20261121.*`), which no AWS SDK knows:
 * JSON 1.1 over HTTP(S), signed with SigV4 by the AWS SDK's own signer, with the same
 * endpoint, region and credential flags as the CodePipeline client in client-options.ts.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';
import { clientConnection, type ClientFlags } from './client-options.js';

const TARGET_PREFIX = 'Lockstep_20261121';

/** Calls one Lockstep operation and resolves with its output. */
export interface LockstepClient {
  call<T = Record<string, unknown>>(operation: string, input: object): Promise<T>;
}

/**
 * A service error as the AWS SDK shapes one (`name`, `message`, `$metadata`), so main.ts reports
 * it the same way: `lockstep: ResourceNotFoundException: ...`.
 */
export class LockstepServiceError extends Error {
  constructor(
    name: string,
    message: string,
    readonly $metadata: { httpStatusCode: number; requestId?: string },
  ) {
    super(message);
    this.name = name;
  }
}

/** A client for the server the flags name. */
export function lockstepClient(flags: ClientFlags): LockstepClient {
  const connection = clientConnection(flags);
  const endpoint = new URL(connection.endpoint);
  const { region, credentials } = connection;
  const signer = new SignatureV4({ service: 'lockstep', region, credentials, sha256: Sha256 });
  return {
    async call<T>(operation: string, input: object): Promise<T> {
      const body = JSON.stringify(input);
      const signed = await signer.sign({
        method: 'POST',
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        port: endpoint.port === '' ? undefined : Number(endpoint.port),
        path: '/',
        query: {},
        headers: {
          host: endpoint.host,
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `${TARGET_PREFIX}.${operation}`,
        },
        body,
      });
      const response = await post(endpoint, signed.headers, body);
      return parseResponse<T>(response);
    },
  };
}

interface RawResponse {
  statusCode: number;
  headers: IncomingMessage['headers'];
  body: string;
}

function post(endpoint: URL, headers: Record<string, string>, body: string): Promise<RawResponse> {
  const send = endpoint.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(endpoint, { method: 'POST', path: '/', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          statusCode: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    // Connection errors keep their `code` (ECONNREFUSED), which main.ts explains to the user.
    req.on('error', reject);
    req.end(body);
  });
}

function parseResponse<T>(response: RawResponse): T {
  let parsed: Record<string, unknown> = {};
  try {
    parsed = response.body === '' ? {} : (JSON.parse(response.body) as Record<string, unknown>);
  } catch {
    // Not JSON: only an error status can explain that, reported below.
  }
  if (response.statusCode >= 200 && response.statusCode < 300) return parsed as T;
  const type = typeof parsed.__type === 'string' ? parsed.__type : `HTTP${response.statusCode}`;
  const text = [parsed.message, parsed.Message].find((m) => typeof m === 'string');
  const message = typeof text === 'string' ? text : response.body;
  const requestId = response.headers['x-amzn-requestid'];
  // AWS may qualify the type with its namespace (`aws.protocols#Name`); the name is the end.
  throw new LockstepServiceError(type.slice(type.lastIndexOf('#') + 1), message, {
    httpStatusCode: response.statusCode,
    ...(typeof requestId === 'string' ? { requestId } : {}),
  });
}

/** The SHA-256 and HMAC-SHA-256 the signer wants, from node:crypto. */
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
