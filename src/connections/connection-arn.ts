/**
 * Connection ARNs: `arn:aws:codeconnections:<region>:<account>:connection/<uuid>`. Pipelines
 * written for AWS often name the older `codestar-connections` service instead; AWS treats the
 * two as one resource, and so does Lockstep.
 */
import type { AccountScope } from '../pipelines/pipeline-arn.js';

const LEGACY_SERVICE = /^arn:aws:codestar-connections:/;

/** The ARN of the connection with this id in this account and region. */
export function connectionArn(scope: AccountScope, connectionId: string): string {
  return `arn:aws:codeconnections:${scope.region}:${scope.accountId}:connection/${connectionId}`;
}

/** The same ARN under the `codeconnections` service, which is how Lockstep stores it. */
export function canonicalConnectionArn(arn: string): string {
  return arn.replace(LEGACY_SERVICE, 'arn:aws:codeconnections:');
}
