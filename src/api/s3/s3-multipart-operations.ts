/**
 * The S3 multipart upload operations: CreateMultipartUpload (`POST ?uploads`), UploadPart
 * (`PUT ?partNumber&uploadId`), CompleteMultipartUpload (`POST ?uploadId`),
 * AbortMultipartUpload (`DELETE ?uploadId`) and ListParts (`GET ?uploadId`). The first three
 * need s3:PutObject, as in AWS.
 */
import { MalformedXML } from '../../objects/object-errors.js';
import { requestedEncryption, storedMetadata, versionHeaders } from './s3-object-headers.js';
import { decodeMd5, keyUseOf, requestedLock } from './s3-object-operations.js';
import { defineS3Operation, header, type S3Call } from './s3-operation.js';
import { parseXml, xmlChild, xmlDocument, xmlElement, xmlText } from './s3-xml.js';

export const createMultipartUpload = defineS3Operation({
  name: 'CreateMultipartUpload',
  iamAction: 's3:PutObject',
  readOnly: false,
  resource: 'object',
  handle: async (call, context) => {
    const encryption = requestedEncryption(call.headers);
    const { uploadId, keyArn } = await context.services.multipartUploads.create(
      {
        bucket: call.bucket,
        key: call.key,
        metadata: storedMetadata(call.headers),
        encryption,
        ...(await requestedLock(call, context)),
      },
      keyUseOf(context),
    );
    return {
      headers: encryptionHeaders(encryption.mode, keyArn),
      body: xmlDocument(
        'InitiateMultipartUploadResult',
        xmlText('Bucket', call.bucket),
        xmlText('Key', call.key),
        xmlText('UploadId', uploadId),
      ),
    };
  },
});

export const uploadPart = defineS3Operation({
  name: 'UploadPart',
  iamAction: 's3:PutObject',
  readOnly: false,
  resource: 'object',
  handle: async (call, { services }) => {
    const contentMd5 = header(call, 'content-md5');
    const part = await services.multipartUploads.uploadPart(
      {
        bucket: call.bucket,
        key: call.key,
        uploadId: uploadIdOf(call),
        partNumber: Number(call.query.get('partNumber')),
      },
      call.body,
      contentMd5 === undefined ? undefined : decodeMd5(contentMd5),
    );
    return { headers: { etag: `"${part.etag}"`, ...encryptionHeaders(part.mode, part.keyArn) } };
  },
});

export const completeMultipartUpload = defineS3Operation({
  name: 'CompleteMultipartUpload',
  iamAction: 's3:PutObject',
  readOnly: false,
  resource: 'object',
  handle: async (call, context) => {
    const document = parseXml((await call.readBody()).toString('utf8'));
    if (document.name !== 'CompleteMultipartUpload') throw new MalformedXML();
    const parts = document.children
      .filter((child) => child.name === 'Part')
      .map((part) => {
        const partNumber = Number(xmlChild(part, 'PartNumber')?.text.trim());
        const etag = xmlChild(part, 'ETag')?.text;
        if (!Number.isInteger(partNumber) || etag === undefined) throw new MalformedXML();
        return { partNumber, etag };
      });
    const version = await context.services.multipartUploads.complete(
      { bucket: call.bucket, key: call.key, uploadId: uploadIdOf(call) },
      parts,
      keyUseOf(context),
    );
    return {
      headers: versionHeaders(version),
      body: xmlDocument(
        'CompleteMultipartUploadResult',
        xmlText('Location', `/${call.bucket}/${call.key}`),
        xmlText('Bucket', call.bucket),
        xmlText('Key', call.key),
        xmlText('ETag', `"${version.etag}"`),
      ),
    };
  },
});

export const abortMultipartUpload = defineS3Operation({
  name: 'AbortMultipartUpload',
  iamAction: 's3:AbortMultipartUpload',
  readOnly: false,
  resource: 'object',
  handle: async (call, { services }) => {
    await services.multipartUploads.abort(call.bucket, call.key, uploadIdOf(call));
    return { status: 204 };
  },
});

export const listParts = defineS3Operation({
  name: 'ListParts',
  iamAction: 's3:ListMultipartUploadParts',
  readOnly: true,
  resource: 'object',
  handle: async (call, { services }) => {
    const uploadId = uploadIdOf(call);
    const parts = await services.multipartUploads.listParts(call.bucket, call.key, uploadId);
    return {
      body: xmlDocument(
        'ListPartsResult',
        xmlText('Bucket', call.bucket),
        xmlText('Key', call.key),
        xmlText('UploadId', uploadId),
        xmlText('MaxParts', 10_000),
        xmlText('IsTruncated', false),
        ...parts.map((part) =>
          xmlElement(
            'Part',
            xmlText('PartNumber', part.partNumber),
            xmlText('LastModified', new Date(part.createdMs).toISOString()),
            xmlText('ETag', `"${part.etag}"`),
            xmlText('Size', part.sizeBytes),
          ),
        ),
      ),
    };
  },
});

function uploadIdOf(call: S3Call): string {
  return call.query.get('uploadId') ?? '';
}

function encryptionHeaders(mode: string, keyArn: string): Record<string, string> {
  return mode === 'aws:kms'
    ? {
        'x-amz-server-side-encryption': mode,
        'x-amz-server-side-encryption-aws-kms-key-id': keyArn,
      }
    : { 'x-amz-server-side-encryption': mode };
}
