/**
 * The operation table of AWS CloudTrail (`com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101`,
 * JSON 1.1), for LookupEvents only: `aws cloudtrail lookup-events` and the SDKs read the
 * audit trail through it. Reading the trail is itself an audited call, as on AWS.
 */
import type { AuditTrail } from '../audit/audit-trail.js';
import type { LookupEventsInput } from '../audit/lookup-events.js';
import { defineOperation, type JsonService, type Operation } from './operation.js';

/** CloudTrail over JSON 1.1, answering from `audit`. */
export function cloudTrailService(audit: AuditTrail): JsonService {
  const operations: Operation[] = [
    defineOperation<LookupEventsInput>({
      name: 'LookupEvents',
      iamAction: 'cloudtrail:LookupEvents',
      readOnly: true,
      // LookupEvents has no resource-level permissions in IAM.
      resourceArn: () => '*',
      handle: (input, { services }) => audit.lookupEvents(input, services.scope),
    }),
  ];
  return {
    targetPrefix: 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101',
    signingName: 'cloudtrail',
    eventSource: 'cloudtrail.amazonaws.com',
    model: 'cloudtrail/2013-11-01',
    operations: new Map(operations.map((op) => [op.name, op])),
  };
}
