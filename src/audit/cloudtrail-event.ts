/**
 * A stored audit record as CloudTrail shows it: the JSON document LookupEvents returns as
 * `CloudTrailEvent`, with CloudTrail's field names (eventVersion 1.08 record contents).
 */
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import type { StoredAuditRecord } from '../store/state-store.js';
import type { AuditResource } from './audit-resources.js';

export interface UserIdentity {
  type: 'IAMUser' | 'AssumedRole' | 'Root' | 'Unknown';
  arn?: string;
  accountId?: string;
  accessKeyId?: string;
  userName?: string;
}

const PRINCIPAL_ARN = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}):(user\/.+|assumed-role\/.+|root)$/;

/** Who made the call, as CloudTrail's userIdentity; 'Unknown' when SigV4 proved no one. */
export function userIdentity(record: StoredAuditRecord): UserIdentity {
  const keyId = record.accessKeyId === null ? {} : { accessKeyId: record.accessKeyId };
  const match = record.principalArn === null ? null : PRINCIPAL_ARN.exec(record.principalArn);
  if (record.principalArn === null || match === null) return { type: 'Unknown', ...keyId };
  const base = { arn: record.principalArn, accountId: match[2]!, ...keyId };
  const resource = match[3]!;
  if (resource === 'root') return { type: 'Root', ...base };
  const name = resource.slice(resource.lastIndexOf('/') + 1);
  if (resource.startsWith('user/')) return { type: 'IAMUser', ...base, userName: name };
  return { type: 'AssumedRole', ...base };
}

/** The name LookupEvents' `Username` shows and matches: the ARN's last path segment. */
export function lookupUsername(record: StoredAuditRecord): string | undefined {
  const arn = record.principalArn;
  return arn === null ? undefined : arn.slice(arn.lastIndexOf('/') + 1);
}

/** The resources a record names (format version 2); none on a version 1 record. */
export function recordResources(record: StoredAuditRecord): AuditResource[] {
  return record.resourcesJson === null ? [] : (JSON.parse(record.resourcesJson) as AuditResource[]);
}

/** The full CloudTrail record of an API call. */
export function cloudTrailEvent(
  record: StoredAuditRecord,
  scope: AccountScope,
): Record<string, unknown> {
  const resources = recordResources(record).map(({ ARN, accountId, type }) => ({
    ARN,
    ...(accountId === undefined ? {} : { accountId }),
    type,
  }));
  return {
    eventVersion: '1.08',
    userIdentity: userIdentity(record),
    // CloudTrail writes whole seconds; the stored millisecond time stays in the hash input.
    eventTime: new Date(record.eventTimeMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: record.eventSource,
    eventName: record.eventName,
    awsRegion: scope.region,
    sourceIPAddress: record.sourceIpAddress,
    userAgent: record.userAgent,
    // CloudTrail leaves the error members out of a call that succeeded.
    ...(record.errorCode === null ? {} : { errorCode: record.errorCode }),
    ...(record.errorMessage === null ? {} : { errorMessage: record.errorMessage }),
    requestParameters: parseStored(record.requestParametersJson),
    responseElements: parseStored(record.responseElementsJson),
    requestID: record.requestId,
    eventID: record.eventId,
    readOnly: record.readOnly,
    // CloudTrail leaves resources out of a record that names none.
    ...(resources.length === 0 ? {} : { resources }),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: scope.accountId,
    eventCategory: 'Management',
  };
}

function parseStored(json: string | null): unknown {
  return json === null ? null : JSON.parse(json);
}
