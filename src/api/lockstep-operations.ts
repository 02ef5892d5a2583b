/**
 * Lockstep's own operations, on the same JSON 1.1 path under the target prefix
 * `Lockstep_20261121`, so one authentication, authorization and audit path serves them too.
 * Their model is models/lockstep/2026-11-21/service-2.json, in the AWS model format.
 */
import { defineOperation, type JsonService } from './operation.js';

const getServerInfo = defineOperation<Record<string, never>>({
  name: 'GetServerInfo',
  iamAction: 'lockstep:GetServerInfo',
  readOnly: true,
  resourceArn: () => '*',
  handle: (_input, { services, principal }) =>
    Promise.resolve({
      version: services.server.version,
      stateEngine: services.server.dialect,
      accountId: services.scope.accountId,
      region: services.scope.region,
      callerArn: principal.arn,
      startedAt: services.server.startedAt,
    }),
});

/** Lockstep's own API over AWS JSON 1.1. */
export const lockstepService: JsonService = {
  targetPrefix: 'Lockstep_20261121',
  signingName: 'lockstep',
  eventSource: 'lockstep',
  model: 'lockstep/2026-11-21',
  operations: new Map([[getServerInfo.name, getServerInfo]]),
};
