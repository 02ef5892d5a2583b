/**
 * A minimal SigV4 signer for the load client: the same four signed headers the AWS CLI signs
 * (content-type;host;x-amz-date;x-amz-target, see shared/reference/wire-captures.md), built
 * on node:crypto so that signing costs microseconds and the client is not the bottleneck.
 * Signing happens per request, as a real client does; only the daily signing key is cached,
 * as the SDKs cache it.
 */
import { createHash, createHmac } from 'node:crypto';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
const ALGORITHM = 'AWS4-HMAC-SHA256';
const SIGNED_HEADERS = 'content-type;host;x-amz-date;x-amz-target';

export class SigV4Signer {
  private keyDate = '';
  private key: Buffer = Buffer.alloc(0);

  constructor(
    private readonly credentials: SigningCredentials,
    private readonly region: string,
    private readonly service = 'codepipeline',
  ) {}

  /** The headers of a signed JSON 1.1 `POST /` (Host included, since it is signed). */
  sign(host: string, target: string, body: Buffer, nowMs = Date.now()): Record<string, string> {
    const amzDate = formatAmzDate(nowMs);
    const date = amzDate.slice(0, 8);
    const canonicalRequest = [
      'POST',
      '/',
      '',
      `content-type:${JSON_CONTENT_TYPE}`,
      `host:${host}`,
      `x-amz-date:${amzDate}`,
      `x-amz-target:${target}`,
      '',
      SIGNED_HEADERS,
      sha256Hex(body),
    ].join('\n');
    const scope = `${date}/${this.region}/${this.service}/aws4_request`;
    const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
    const signature = createHmac('sha256', this.signingKey(date))
      .update(stringToSign, 'utf8')
      .digest('hex');
    return {
      host,
      'content-type': JSON_CONTENT_TYPE,
      'x-amz-target': target,
      'x-amz-date': amzDate,
      authorization:
        `${ALGORITHM} Credential=${this.credentials.accessKeyId}/${scope}, ` +
        `SignedHeaders=${SIGNED_HEADERS}, Signature=${signature}`,
      'content-length': String(body.length),
      'accept-encoding': 'identity',
      'user-agent': 'lockstep-bench/1',
    };
  }

  private signingKey(date: string): Buffer {
    if (date !== this.keyDate) {
      this.key = [date, this.region, this.service, 'aws4_request'].reduce<Buffer>(
        (parent, part) => createHmac('sha256', parent).update(part, 'utf8').digest(),
        Buffer.from(`AWS4${this.credentials.secretAccessKey}`, 'utf8'),
      );
      this.keyDate = date;
    }
    return this.key;
  }
}

/** `20261121T230643Z` from epoch milliseconds. */
export function formatAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
