/**
 * The S3 operations on buckets: ListBuckets, CreateBucket, HeadBucket, DeleteBucket,
 * GetBucketLocation, Get/PutBucketVersioning and Get/PutObjectLockConfiguration.
 */
import { LockstepError } from '../../errors/lockstep-error.js';
import { MalformedXML, NotImplemented } from '../../objects/object-errors.js';
import type { DefaultRetention } from '../../store/object-metadata-store.js';
import { defineS3Operation, header } from './s3-operation.js';
import { parseXml, xmlChild, xmlDocument, xmlElement, xmlText, type XmlElement } from './s3-xml.js';

export const listBuckets = defineS3Operation({
  name: 'ListBuckets',
  iamAction: 's3:ListAllMyBuckets',
  readOnly: true,
  resource: 'service',
  handle: async (_call, { services }) => {
    const buckets = await services.buckets.list();
    const { accountId, region } = services.scope;
    return {
      body: xmlDocument(
        'ListAllMyBucketsResult',
        xmlElement('Owner', xmlText('ID', accountId), xmlText('DisplayName', accountId)),
        xmlElement(
          'Buckets',
          ...buckets.map((bucket) =>
            xmlElement(
              'Bucket',
              xmlText('Name', bucket.name),
              xmlText('CreationDate', new Date(bucket.createdMs).toISOString()),
              xmlText('BucketRegion', region),
            ),
          ),
        ),
      ),
    };
  },
});

export const createBucket = defineS3Operation({
  name: 'CreateBucket',
  iamAction: 's3:CreateBucket',
  readOnly: false,
  resource: 'bucket',
  handle: async (call, { services, authorizeAlso }) => {
    const body = await call.readBody();
    if (body.length > 0)
      checkLocationConstraint(parseXml(body.toString('utf8')), services.scope.region);
    const objectLockEnabled = header(call, 'x-amz-bucket-object-lock-enabled') === 'true';
    if (objectLockEnabled) {
      // As in AWS: a bucket made with object lock needs the rights to configure both.
      const arn = `arn:aws:s3:::${call.bucket}`;
      await authorizeAlso('s3:PutBucketObjectLockConfiguration', arn);
      await authorizeAlso('s3:PutBucketVersioning', arn);
    }
    await services.buckets.create(call.bucket, { objectLockEnabled });
    return { headers: { location: `/${call.bucket}` } };
  },
});

export const headBucket = defineS3Operation({
  name: 'HeadBucket',
  iamAction: 's3:ListBucket',
  readOnly: true,
  resource: 'bucket',
  handle: async (call, { services }) => {
    await services.buckets.get(call.bucket);
    return { headers: { 'x-amz-bucket-region': services.scope.region } };
  },
});

export const deleteBucket = defineS3Operation({
  name: 'DeleteBucket',
  iamAction: 's3:DeleteBucket',
  readOnly: false,
  resource: 'bucket',
  handle: async (call, { services }) => {
    await services.buckets.delete(call.bucket);
    return { status: 204 };
  },
});

export const getBucketLocation = defineS3Operation({
  name: 'GetBucketLocation',
  iamAction: 's3:GetBucketLocation',
  readOnly: true,
  resource: 'bucket',
  handle: async (call, { services }) => {
    await services.buckets.get(call.bucket);
    const { region } = services.scope;
    // us-east-1 is the one region S3 reports as an empty constraint.
    return { body: xmlDocument('LocationConstraint', region === 'us-east-1' ? '' : region) };
  },
});

export const getBucketVersioning = defineS3Operation({
  name: 'GetBucketVersioning',
  iamAction: 's3:GetBucketVersioning',
  readOnly: true,
  resource: 'bucket',
  handle: async (call, { services }) => {
    const bucket = await services.buckets.get(call.bucket);
    return {
      body: xmlDocument(
        'VersioningConfiguration',
        xmlText('Status', bucket.versioning ?? undefined),
      ),
    };
  },
});

export const putBucketVersioning = defineS3Operation({
  name: 'PutBucketVersioning',
  iamAction: 's3:PutBucketVersioning',
  readOnly: false,
  resource: 'bucket',
  handle: async (call, { services }) => {
    const document = parseXml((await call.readBody()).toString('utf8'));
    const status = xmlChild(document, 'Status')?.text.trim();
    if (
      document.name !== 'VersioningConfiguration' ||
      (status !== 'Enabled' && status !== 'Suspended')
    ) {
      throw new MalformedXML();
    }
    if (xmlChild(document, 'MfaDelete')?.text.trim() === 'Enabled') {
      throw new NotImplemented({}, 'MFA delete is not supported by Lockstep.');
    }
    await services.buckets.putVersioning(call.bucket, status);
    return {};
  },
});

export const getObjectLockConfiguration = defineS3Operation({
  name: 'GetObjectLockConfiguration',
  iamAction: 's3:GetBucketObjectLockConfiguration',
  readOnly: true,
  resource: 'bucket',
  handle: async (call, { services }) => {
    const { defaultRetention } = await services.buckets.getObjectLock(call.bucket);
    const rule = defaultRetention
      ? xmlElement(
          'Rule',
          xmlElement(
            'DefaultRetention',
            xmlText('Mode', defaultRetention.mode),
            xmlText('Days', defaultRetention.days),
            xmlText('Years', defaultRetention.years),
          ),
        )
      : '';
    return {
      body: xmlDocument('ObjectLockConfiguration', xmlText('ObjectLockEnabled', 'Enabled'), rule),
    };
  },
});

export const putObjectLockConfiguration = defineS3Operation({
  name: 'PutObjectLockConfiguration',
  iamAction: 's3:PutBucketObjectLockConfiguration',
  readOnly: false,
  resource: 'bucket',
  handle: async (call, { services }) => {
    const document = parseXml((await call.readBody()).toString('utf8'));
    if (
      document.name !== 'ObjectLockConfiguration' ||
      xmlChild(document, 'ObjectLockEnabled')?.text.trim() !== 'Enabled'
    ) {
      throw new MalformedXML();
    }
    const rule = xmlChild(document, 'Rule');
    await services.buckets.putObjectLock(call.bucket, {
      enabled: true,
      defaultRetention: rule ? parseDefaultRetention(rule) : null,
    });
    return {};
  },
});

/** A Rule's DefaultRetention: a mode and exactly one positive count of Days or Years. */
function parseDefaultRetention(rule: XmlElement): DefaultRetention {
  const retention = xmlChild(rule, 'DefaultRetention');
  const mode = retention && xmlChild(retention, 'Mode')?.text.trim();
  if (!retention || (mode !== 'GOVERNANCE' && mode !== 'COMPLIANCE')) throw new MalformedXML();
  const days = xmlChild(retention, 'Days')?.text.trim();
  const years = xmlChild(retention, 'Years')?.text.trim();
  if ((days === undefined) === (years === undefined)) throw new MalformedXML();
  const count = Number(days ?? years);
  if (!Number.isInteger(count) || count <= 0) {
    throw new LockstepError(
      'InvalidArgument',
      'Default retention period must be a positive integer value.',
    );
  }
  return days === undefined ? { mode, years: count } : { mode, days: count };
}

/** A CreateBucketConfiguration may only name this server's region. */
function checkLocationConstraint(document: XmlElement, region: string): void {
  const constraint = xmlChild(document, 'LocationConstraint')?.text.trim();
  if (document.name !== 'CreateBucketConfiguration') throw new MalformedXML();
  if (constraint !== undefined && constraint !== '' && constraint !== region) {
    throw new LockstepError(
      'IllegalLocationConstraintException',
      `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to (${region}).`,
    );
  }
}
