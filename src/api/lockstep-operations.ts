/**
 * Lockstep's own operations, on the same JSON 1.1 path under the target prefix
 * `Lockstep_20261121`, so one authentication, authorization and audit path serves them too.
 * Their model is models/lockstep/2026-11-21/service-2.json, in the AWS model format.
 */
import type { AuditTrailPages, GetAuditTrailInput } from '../audit/audit-trail-pages.js';
import type { ActionLogRequest } from '../engine/action-logs.js';
import { buildAccessReport } from '../iam/access-report.js';
import { pipelineArn } from '../pipelines/pipeline-arn.js';
import { defineOperation, rawString, type JsonService, type Operation } from './operation.js';
import { lockstepConnectionOperations } from './lockstep-connection-operations.js';
import { lockstepSecretOperations } from './lockstep-secret-operations.js';

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

const getActionExecutionLog = defineOperation<ActionLogRequest>({
  name: 'GetActionExecutionLog',
  // Reading a log is reading what ListActionExecutions points at, so it takes that action.
  iamAction: 'codepipeline:ListActionExecutions',
  readOnly: true,
  resourceArn: (raw, services) => {
    const name = rawString(raw, 'pipelineName');
    return name === undefined ? '*' : pipelineArn(services.scope, name);
  },
  handle: async (input, { services }) => {
    await services.pipelines.require(input.pipelineName);
    return services.actionLogs.read(input);
  },
});

const getAccessReport = defineOperation<Record<string, never>>({
  name: 'GetAccessReport',
  // An account-wide read, like IAM's GetCredentialReport, which has no resource-level permissions.
  iamAction: 'lockstep:GetAccessReport',
  readOnly: true,
  resourceArn: () => '*',
  handle: async (_input, { services }) =>
    buildAccessReport(await services.accessReport.load(Date.now())),
});

/** GetAuditTrail over `trail`: the raw records, checkpoints and key `audit verify` checks. */
function getAuditTrail(trail: AuditTrailPages): Operation {
  return defineOperation<GetAuditTrailInput>({
    name: 'GetAuditTrail',
    // An account-wide read, like cloudtrail:LookupEvents, which has no resource-level permissions.
    iamAction: 'lockstep:GetAuditTrail',
    readOnly: true,
    resourceArn: () => '*',
    handle: (input) => trail.page(input),
  });
}

const operations: readonly Operation[] = [
  getServerInfo,
  getActionExecutionLog,
  getAccessReport,
  ...lockstepConnectionOperations,
  ...lockstepSecretOperations,
];

/** Lockstep's own API over AWS JSON 1.1, with GetAuditTrail answering from `trail`. */
export function lockstepServiceWith(trail: AuditTrailPages): JsonService {
  return lockstepServiceOf([...operations, getAuditTrail(trail)]);
}

function lockstepServiceOf(table: readonly Operation[]): JsonService {
  return {
    targetPrefix: 'Lockstep_20261121',
    signingName: 'lockstep',
    eventSource: 'lockstep',
    model: 'lockstep/2026-11-21',
    operations: new Map(table.map((op) => [op.name, op])),
  };
}
