/**
 * The S3 listing operations: ListObjectsV2, ListObjects (v1, as older tools still call it) and
 * ListObjectVersions. With `encoding-type=url`, which boto3 and the AWS CLI always ask for, keys
 * and prefixes are percent-encoded in the answer so that any key survives XML.
 */
import type { ListEntry, ObjectsPage } from '../../objects/object-listing.js';
import { InvalidArgument } from '../../objects/object-errors.js';
import type { ObjectVersionRecord } from '../../store/object-metadata-store.js';
import { defineS3Operation, type S3Call } from './s3-operation.js';
import { xmlDocument, xmlElement, xmlText } from './s3-xml.js';

const MAX_KEYS = 1000;

export const listObjectsV2 = defineS3Operation({
  name: 'ListObjectsV2',
  iamAction: 's3:ListBucket',
  readOnly: true,
  resource: 'bucket',
  handle: async (call, { services }) => {
    const query = listQuery(call);
    const continuationToken = call.query.get('continuation-token');
    const startAfter = call.query.get('start-after');
    const page = await services.objectListing.listObjects(call.bucket, {
      ...query,
      ...(continuationToken === undefined ? {} : { continuationToken }),
      ...(startAfter === undefined ? {} : { startAfter }),
    });
    const encode = encoder(call);
    return {
      body: xmlDocument(
        'ListBucketResult',
        ...listHeader(call, query, page, encode),
        xmlText('KeyCount', page.contents.length + page.commonPrefixes.length),
        xmlText('ContinuationToken', continuationToken),
        xmlText('NextContinuationToken', page.nextContinuationToken),
        xmlText('StartAfter', startAfter === undefined ? undefined : encode(startAfter)),
      ),
    };
  },
});

export const listObjects = defineS3Operation({
  name: 'ListObjects',
  iamAction: 's3:ListBucket',
  readOnly: true,
  resource: 'bucket',
  handle: async (call, { services }) => {
    const query = listQuery(call);
    const marker = call.query.get('marker');
    const page = await services.objectListing.listObjects(call.bucket, {
      ...query,
      ...(marker === undefined ? {} : { marker }),
    });
    const encode = encoder(call);
    return {
      body: xmlDocument(
        'ListBucketResult',
        ...listHeader(call, query, page, encode),
        xmlText('Marker', encode(marker ?? '')),
        xmlText('NextMarker', page.nextMarker === undefined ? undefined : encode(page.nextMarker)),
      ),
    };
  },
});

export const listObjectVersions = defineS3Operation({
  name: 'ListObjectVersions',
  iamAction: 's3:ListBucketVersions',
  readOnly: true,
  resource: 'bucket',
  handle: async (call, { services }) => {
    const query = listQuery(call);
    const keyMarker = call.query.get('key-marker');
    const versionIdMarker = call.query.get('version-id-marker');
    const page = await services.objectListing.listVersions(call.bucket, {
      ...query,
      ...(keyMarker === undefined ? {} : { keyMarker }),
      ...(versionIdMarker === undefined ? {} : { versionIdMarker }),
    });
    const encode = encoder(call);
    const owner = ownerXml(services.scope.accountId);
    return {
      body: xmlDocument(
        'ListVersionsResult',
        xmlText('Name', call.bucket),
        xmlText('Prefix', encode(query.prefix)),
        xmlText('KeyMarker', encode(keyMarker ?? '')),
        xmlText('VersionIdMarker', versionIdMarker ?? ''),
        xmlText(
          'NextKeyMarker',
          page.nextKeyMarker === undefined ? undefined : encode(page.nextKeyMarker),
        ),
        xmlText('NextVersionIdMarker', page.nextVersionIdMarker),
        xmlText('MaxKeys', query.maxKeys),
        xmlText('Delimiter', query.delimiter === undefined ? undefined : encode(query.delimiter)),
        xmlText('IsTruncated', page.isTruncated),
        ...page.entries.map((entry) => versionEntryXml(entry, encode, owner)),
        xmlText('EncodingType', call.query.get('encoding-type')),
      ),
    };
  },
});

/** Prefix, delimiter and max-keys, as every listing takes them. */
function listQuery(call: S3Call): { prefix: string; delimiter?: string; maxKeys: number } {
  const delimiter = call.query.get('delimiter');
  const rawMaxKeys = call.query.get('max-keys');
  const maxKeys = rawMaxKeys === undefined ? MAX_KEYS : Number(rawMaxKeys);
  if (!Number.isInteger(maxKeys) || maxKeys < 0) {
    throw new InvalidArgument(
      { argumentName: 'max-keys', argumentValue: rawMaxKeys ?? '' },
      'Provided max-keys not an integer or within integer range',
    );
  }
  return {
    prefix: call.query.get('prefix') ?? '',
    ...(delimiter === undefined || delimiter === '' ? {} : { delimiter }),
    maxKeys: Math.min(maxKeys, MAX_KEYS),
  };
}

/** Percent-encodes keys and prefixes when the caller asked for `encoding-type=url`. */
function encoder(call: S3Call): (text: string) => string {
  const encodingType = call.query.get('encoding-type');
  if (encodingType === undefined) return (text) => text;
  if (encodingType !== 'url') {
    throw new InvalidArgument(
      { argumentName: 'encoding-type', argumentValue: encodingType },
      'Invalid Encoding Method specified in Request',
    );
  }
  return (text) => encodeURIComponent(text).replace(/%2F/g, '/');
}

/** The elements ListObjects and ListObjectsV2 share. */
function listHeader(
  call: S3Call,
  query: { prefix: string; delimiter?: string; maxKeys: number },
  page: ObjectsPage,
  encode: (text: string) => string,
): string[] {
  return [
    xmlText('Name', call.bucket),
    xmlText('Prefix', encode(query.prefix)),
    xmlText('Delimiter', query.delimiter === undefined ? undefined : encode(query.delimiter)),
    xmlText('MaxKeys', query.maxKeys),
    xmlText('IsTruncated', page.isTruncated),
    xmlText('EncodingType', call.query.get('encoding-type')),
    ...page.contents.map((version) =>
      xmlElement('Contents', xmlText('Key', encode(version.key)), ...versionFields(version)),
    ),
    ...page.commonPrefixes.map((prefix) =>
      xmlElement('CommonPrefixes', xmlText('Prefix', encode(prefix))),
    ),
  ];
}

function versionFields(version: ObjectVersionRecord): string[] {
  return [
    xmlText('LastModified', new Date(version.createdMs).toISOString()),
    xmlText('ETag', `"${version.etag}"`),
    xmlText('Size', version.sizeBytes),
    xmlText('StorageClass', 'STANDARD'),
  ];
}

function versionEntryXml(entry: ListEntry, encode: (text: string) => string, owner: string) {
  if ('commonPrefix' in entry) {
    return xmlElement('CommonPrefixes', xmlText('Prefix', encode(entry.commonPrefix)));
  }
  const { version } = entry;
  const identity = [
    xmlText('Key', encode(version.key)),
    xmlText('VersionId', version.versionId),
    xmlText('IsLatest', version.isLatest),
  ];
  if (version.isDeleteMarker) {
    return xmlElement(
      'DeleteMarker',
      ...identity,
      xmlText('LastModified', new Date(version.createdMs).toISOString()),
      owner,
    );
  }
  return xmlElement('Version', ...identity, ...versionFields(version), owner);
}

function ownerXml(accountId: string): string {
  return xmlElement('Owner', xmlText('ID', accountId), xmlText('DisplayName', accountId));
}
