/**
 * The S3 operations on objects: PutObject, GetObject, HeadObject and DeleteObject. Each reads
 * its version id from the query; one naming a version is authorized as the *Version action
 * (s3:GetObjectVersion, s3:DeleteObjectVersion), as in AWS, so routing picks the operation.
 */
import type { Readable } from 'node:stream';
import {
  EntityTooLarge,
  InvalidArgument,
  InvalidDigest,
  NotImplemented,
  PreconditionFailed,
} from '../../objects/object-errors.js';
import type { Retention } from '../../objects/object-lock.js';
import type { ObjectVersionRecord } from '../../store/object-metadata-store.js';
import type { AuthorizeKeyUse, RangeRequest } from '../../objects/object-service.js';
import type { CallContext } from '../operation.js';
import {
  objectHeaders,
  requestedEncryption,
  storedMetadata,
  versionHeaders,
} from './s3-object-headers.js';
import { defineS3Operation, header, s3Arn, type S3Call, type S3Reply } from './s3-operation.js';

/** S3's largest single PUT. */
export const MAX_OBJECT_BYTES = 5 * 1024 ** 3;

/** GetObject's response-* query parameters, which override the stored headers. */
const RESPONSE_OVERRIDES = [
  'content-type',
  'content-language',
  'expires',
  'cache-control',
  'content-disposition',
  'content-encoding',
];

export const putObject = defineS3Operation({
  name: 'PutObject',
  iamAction: 's3:PutObject',
  readOnly: false,
  resource: 'object',
  handle: async (call, context) => {
    if (header(call, 'x-amz-copy-source') !== undefined) {
      throw new NotImplemented(
        {},
        'CopyObject is not supported by Lockstep; upload the object instead.',
      );
    }
    checkDeclaredSize(call);
    const lock = await requestedLock(call, context);
    const contentMd5 = header(call, 'content-md5');
    const version = await context.services.objects.put({
      bucket: call.bucket,
      key: call.key,
      body: call.body,
      metadata: storedMetadata(call.headers),
      encryption: requestedEncryption(call.headers),
      ...(contentMd5 === undefined ? {} : { contentMd5: decodeMd5(contentMd5) }),
      ...lock,
      maxBytes: MAX_OBJECT_BYTES,
      authorizeKeyUse: keyUseOf(context),
    });
    return { headers: versionHeaders(version) };
  },
});

const getObjectHandler = async (call: S3Call, context: CallContext): Promise<S3Reply> => {
  const range = parseRange(header(call, 'range'));
  const versionId = call.query.get('versionId');
  const {
    version,
    body,
    range: served,
  } = await context.services.objects.get(
    call.bucket,
    call.key,
    versionId,
    range,
    keyUseOf(context),
  );
  let unmodified: S3Reply | undefined;
  try {
    unmodified = preconditions(call, version);
  } catch (error) {
    // The body is not sent: let go of what is behind it (an open file, or a connection to
    // external storage) rather than leave it open.
    body.destroy();
    throw error;
  }
  if (unmodified) {
    body.destroy();
    return unmodified;
  }
  const headers = { ...objectHeaders(version), ...responseOverrides(call) };
  if (!served) return sized({ headers, body }, version.sizeBytes);
  headers['content-range'] = `bytes ${served.start}-${served.end}/${version.sizeBytes}`;
  return sized({ status: 206, headers, body }, served.end - served.start + 1);
};

export const getObject = defineS3Operation({
  name: 'GetObject',
  iamAction: 's3:GetObject',
  readOnly: true,
  resource: 'object',
  handle: getObjectHandler,
});

export const getObjectVersion = defineS3Operation({
  name: 'GetObject',
  iamAction: 's3:GetObjectVersion',
  readOnly: true,
  resource: 'object',
  handle: getObjectHandler,
});

const headObjectHandler = async (call: S3Call, { services }: CallContext): Promise<S3Reply> => {
  const version = await services.objects.head(call.bucket, call.key, call.query.get('versionId'));
  const unmodified = preconditions(call, version);
  if (unmodified) return unmodified;
  return { headers: { ...objectHeaders(version), 'content-length': String(version.sizeBytes) } };
};

export const headObject = defineS3Operation({
  name: 'HeadObject',
  iamAction: 's3:GetObject',
  readOnly: true,
  resource: 'object',
  handle: headObjectHandler,
});

export const headObjectVersion = defineS3Operation({
  name: 'HeadObject',
  iamAction: 's3:GetObjectVersion',
  readOnly: true,
  resource: 'object',
  handle: headObjectHandler,
});

const deleteObjectHandler = async (call: S3Call, context: CallContext): Promise<S3Reply> => {
  const deleted = await context.services.objects.delete(
    call.bucket,
    call.key,
    call.query.get('versionId'),
    await bypassGovernance(call, context),
  );
  const headers: Record<string, string> = {};
  if (deleted.versionId !== undefined) headers['x-amz-version-id'] = deleted.versionId;
  if (deleted.deleteMarker) headers['x-amz-delete-marker'] = 'true';
  return { status: 204, headers };
};

export const deleteObject = defineS3Operation({
  name: 'DeleteObject',
  iamAction: 's3:DeleteObject',
  readOnly: false,
  resource: 'object',
  handle: deleteObjectHandler,
});

export const deleteObjectVersion = defineS3Operation({
  name: 'DeleteObject',
  iamAction: 's3:DeleteObjectVersion',
  readOnly: false,
  resource: 'object',
  handle: deleteObjectHandler,
});

/** The caller's use of a customer managed key, authorized with its key policy. */
export function keyUseOf(context: CallContext): AuthorizeKeyUse {
  return (action, keyArn) => context.authorizeAlso(action, keyArn);
}

/**
 * Whether the caller asked to bypass GOVERNANCE retention, which needs
 * s3:BypassGovernanceRetention: asking without the permission is refused outright.
 */
export async function bypassGovernance(call: S3Call, context: CallContext): Promise<boolean> {
  if (header(call, 'x-amz-bypass-governance-retention')?.toLowerCase() !== 'true') return false;
  await context.authorizeAlso(
    's3:BypassGovernanceRetention',
    s3Arn('object', call.bucket, call.key),
  );
  return true;
}

/** The object lock a PutObject (or CreateMultipartUpload) asks for, with the rights it takes. */
export async function requestedLock(
  call: S3Call,
  context: CallContext,
): Promise<{ retention?: Retention; legalHold?: boolean }> {
  const mode = header(call, 'x-amz-object-lock-mode');
  const until = header(call, 'x-amz-object-lock-retain-until-date');
  const hold = header(call, 'x-amz-object-lock-legal-hold');
  const arn = s3Arn('object', call.bucket, call.key);
  const lock: { retention?: Retention; legalHold?: boolean } = {};
  if (mode !== undefined || until !== undefined) {
    const retainUntilMs = until === undefined ? NaN : Date.parse(until);
    if ((mode !== 'GOVERNANCE' && mode !== 'COMPLIANCE') || Number.isNaN(retainUntilMs)) {
      throw new InvalidArgument(
        {},
        'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied, ' +
          'with a mode of GOVERNANCE or COMPLIANCE and an ISO 8601 date',
      );
    }
    await context.authorizeAlso('s3:PutObjectRetention', arn);
    lock.retention = { mode, retainUntilMs };
  }
  if (hold !== undefined) {
    if (hold !== 'ON' && hold !== 'OFF') {
      throw new InvalidArgument(
        { argumentName: 'x-amz-object-lock-legal-hold', argumentValue: hold },
        'Legal Hold must be either of ON or OFF',
      );
    }
    await context.authorizeAlso('s3:PutObjectLegalHold', arn);
    lock.legalHold = hold === 'ON';
  }
  return lock;
}

/** Refuses, before reading a byte, a body declared larger than S3's largest PUT. */
function checkDeclaredSize(call: S3Call): void {
  const declared = Number(
    header(call, 'x-amz-decoded-content-length') ?? header(call, 'content-length') ?? 0,
  );
  if (declared > MAX_OBJECT_BYTES) {
    throw new EntityTooLarge(
      {},
      `Your proposed upload exceeds the maximum of ${MAX_OBJECT_BYTES} bytes.`,
    );
  }
}

export function decodeMd5(value: string): Buffer {
  const digest = Buffer.from(value, 'base64');
  if (digest.length !== 16 || digest.toString('base64') !== value.trim()) throw new InvalidDigest();
  return digest;
}

/**
 * If-Match and If-None-Match against the version's ETag: a mismatch of the first is
 * PreconditionFailed; a match of the second is answered 304 Not Modified, with no body.
 */
function preconditions(call: S3Call, version: ObjectVersionRecord): S3Reply | undefined {
  const matches = (value: string) =>
    value
      .split(',')
      .map((tag) => tag.trim())
      .some((tag) => tag === '*' || tag.replace(/^"|"$/g, '') === version.etag);
  const ifMatch = header(call, 'if-match');
  if (ifMatch !== undefined && !matches(ifMatch)) {
    throw new PreconditionFailed({ key: call.key });
  }
  const ifNoneMatch = header(call, 'if-none-match');
  if (ifNoneMatch !== undefined && matches(ifNoneMatch)) {
    return { status: 304, headers: objectHeaders(version) };
  }
  return undefined;
}

/** One `bytes=first-last` range; anything else is ignored, as S3 ignores it. */
function parseRange(value: string | undefined): RangeRequest | undefined {
  const match = value === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [, first = '', last = ''] = match;
  if (first !== '' && last !== '' && Number(last) < Number(first)) return undefined;
  return {
    ...(first === '' ? {} : { first: Number(first) }),
    ...(last === '' ? {} : { last: Number(last) }),
  };
}

function responseOverrides(call: S3Call): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const name of RESPONSE_OVERRIDES) {
    const value = call.query.get(`response-${name}`);
    if (value !== undefined) overrides[name] = value;
  }
  return overrides;
}

function sized(
  reply: S3Reply & { headers: Record<string, string>; body: Readable },
  bytes: number,
) {
  reply.headers['content-length'] = String(bytes);
  return reply;
}
