/**
 * The HTTP headers of an object: which request headers are stored with a version (Content-Type
 * and the other representation headers, x-amz-meta-*), and the headers GetObject, HeadObject
 * and PutObject answer with (ETag, version id, server-side encryption, object lock).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { InvalidArgument } from '../../objects/object-errors.js';
import type { ObjectEncryption } from '../../objects/object-service.js';
import type { ObjectVersionRecord } from '../../store/object-metadata-store.js';

/** The representation headers S3 stores and returns as they were sent. */
const STORED_HEADERS = [
  'content-type',
  'content-disposition',
  'content-language',
  'cache-control',
  'expires',
] as const;
/** S3's limit on user-defined metadata (names and values of x-amz-meta-*). */
const MAX_USER_METADATA_BYTES = 2048;
/** What S3 calls an object whose writer named no Content-Type. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

/** The headers of a PutObject request to keep with the version. */
export function storedMetadata(headers: IncomingHttpHeaders): Record<string, string> {
  const stored: Record<string, string> = {};
  let userBytes = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') continue;
    if ((STORED_HEADERS as readonly string[]).includes(name)) stored[name] = value;
    if (name.startsWith('x-amz-meta-')) {
      stored[name] = value;
      userBytes += name.length - 'x-amz-meta-'.length + Buffer.byteLength(value);
    }
  }
  // aws-chunked describes how this request's body travels, not the object.
  const encoding = headers['content-encoding'];
  if (typeof encoding === 'string') {
    const kept = encoding
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '' && part !== 'aws-chunked');
    if (kept.length > 0) stored['content-encoding'] = kept.join(', ');
  }
  if (userBytes > MAX_USER_METADATA_BYTES) {
    throw new InvalidArgument(
      {},
      `Your metadata headers exceed the maximum allowed metadata size of ${MAX_USER_METADATA_BYTES} bytes.`,
    );
  }
  return stored;
}

/** The encryption a PutObject asks for; without the header, SSE-KMS under `aws/s3`. */
export function requestedEncryption(headers: IncomingHttpHeaders): ObjectEncryption {
  const mode = headers['x-amz-server-side-encryption'];
  const keyId = headers['x-amz-server-side-encryption-aws-kms-key-id'];
  if (typeof keyId === 'string' && mode !== 'aws:kms') {
    throw new InvalidArgument(
      { argumentName: 'x-amz-server-side-encryption-aws-kms-key-id' },
      'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms',
    );
  }
  if (mode === undefined || mode === 'aws:kms') {
    return { mode: 'aws:kms', ...(typeof keyId === 'string' ? { keyId } : {}) };
  }
  if (mode === 'AES256') return { mode: 'AES256' };
  throw new InvalidArgument(
    { argumentName: 'x-amz-server-side-encryption', argumentValue: String(mode) },
    `The encryption method specified is not supported: ${String(mode)}; use aws:kms or AES256.`,
  );
}

/** ETag, version id and encryption: what every answer about a stored version says. */
export function versionHeaders(version: ObjectVersionRecord): Record<string, string> {
  const headers: Record<string, string> = {};
  if (version.versionId !== 'null') headers['x-amz-version-id'] = version.versionId;
  if (version.isDeleteMarker) return headers;
  headers.etag = `"${version.etag}"`;
  if (version.serverSideEncryption) {
    headers['x-amz-server-side-encryption'] = version.serverSideEncryption;
  }
  if (version.serverSideEncryption === 'aws:kms' && version.kmsKeyArn) {
    headers['x-amz-server-side-encryption-aws-kms-key-id'] = version.kmsKeyArn;
  }
  return headers;
}

/** GetObject's and HeadObject's headers for a version (Content-Length set by the caller). */
export function objectHeaders(version: ObjectVersionRecord): Record<string, string> {
  const headers: Record<string, string> = {
    ...versionHeaders(version),
    'content-type': DEFAULT_CONTENT_TYPE,
    ...version.metadata,
    'last-modified': new Date(version.createdMs).toUTCString(),
    'accept-ranges': 'bytes',
  };
  if (version.retentionMode !== null && version.retainUntilMs !== null) {
    headers['x-amz-object-lock-mode'] = version.retentionMode;
    headers['x-amz-object-lock-retain-until-date'] = new Date(version.retainUntilMs).toISOString();
  }
  if (version.legalHold) headers['x-amz-object-lock-legal-hold'] = 'ON';
  return headers;
}
