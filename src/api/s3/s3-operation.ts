/**
 * An operation of the S3 REST API. It is an Operation like every other (name, IAM action,
 * resource ARN, audit), so it takes the same call path; what differs is its input and output:
 * an S3 call is the request itself (bucket, key, query, headers and a verified body stream),
 * and its reply is a status, headers and a body that may be a stream of object bytes.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { CallContext, Operation } from '../operation.js';
import { rawString } from '../operation.js';

/** One S3 request, as an operation sees it. */
export interface S3Call {
  method: string;
  /** '' for the service (ListBuckets). */
  bucket: string;
  /** '' for a bucket's own operations. */
  key: string;
  /** Query parameters, decoded; a flag like `?versioning` maps to ''. */
  query: ReadonlyMap<string, string>;
  headers: IncomingHttpHeaders;
  /** The request body, decoded (aws-chunked) and verified (hashes, signatures) as it is read. */
  body: Readable;
  /** The body read whole, for the small XML documents some calls take. */
  readBody(): Promise<Buffer>;
}

/** What an S3 operation answers. */
export interface S3Reply {
  /** 200 unless said otherwise. */
  status?: number;
  headers?: Record<string, string>;
  body?: string | Readable;
}

export interface S3Operation extends Operation {
  handle(call: S3Call, context: CallContext): Promise<S3Reply>;
  auditParameters(call: S3Call): unknown;
  auditResponse(reply: S3Reply): unknown;
}

/** What an S3 operation's IAM resource is: the account (`*`), its bucket, or its object. */
export type S3ResourceKind = 'service' | 'bucket' | 'object';

/**
 * Declares an S3 operation; its resource ARN is S3's (`arn:aws:s3:::bucket/key`), and its audit
 * record keeps what CloudTrail's S3 data events keep: the bucket, key and query, and the x-amz-*
 * answers (version id, encryption), never a byte of the object.
 */
export function defineS3Operation(definition: {
  name: string;
  iamAction: string;
  readOnly: boolean;
  resource: S3ResourceKind;
  handle(call: S3Call, context: CallContext): Promise<S3Reply>;
}): S3Operation {
  const { resource, ...rest } = definition;
  return {
    ...rest,
    resourceArn: (raw) => s3Arn(resource, rawString(raw, 'bucket') ?? '', rawString(raw, 'key')),
    auditParameters: auditedRequest,
    auditResponse: auditedReply,
  };
}

function auditedRequest(call: S3Call): Record<string, string> {
  const parameters: Record<string, string> = {};
  if (call.bucket !== '') parameters.bucketName = call.bucket;
  if (call.key !== '') parameters.key = call.key;
  const host = header(call, 'host');
  if (host !== undefined) parameters.Host = host;
  for (const [name, value] of call.query) {
    // A presigned URL's X-Amz-* parameters are its credentials and signature.
    if (!name.startsWith('X-Amz-')) parameters[name] = value;
  }
  return parameters;
}

function auditedReply(reply: S3Reply): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.headers ?? {})) {
    if (name.startsWith('x-amz-') || name === 'etag') kept[name] = value;
  }
  return kept;
}

/** `arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key` (S3 ARNs name no region or account). */
export function s3Arn(kind: S3ResourceKind, bucket: string, key?: string): string {
  if (kind === 'service') return '*';
  return kind === 'bucket' ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key ?? ''}`;
}

/** A header's single value, or undefined. */
export function header(call: { headers: IncomingHttpHeaders }, name: string): string | undefined {
  const value = call.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
