/**
 * The rows a decision writes beside the execution's state: the jobs of the actions it
 * dispatched (handed straight to a free built-in worker of this process when there is one, see
 * job-handoff.ts) and the action executions it created or changed (ListActionExecutions).
 */
import { randomUUID } from 'node:crypto';
import type { ActionDeclaration } from '../pipelines/declaration.js';
import type { ActionExecutionRecord, JobRecord } from '../store/execution-store.js';
import { actionTimeoutMs } from '../jobs/action-timeouts.js';
import { buildJobPayload } from '../jobs/job-data.js';
import type { JobHandoff, JobReservation } from '../jobs/job-handoff.js';
import {
  actionTypeKey,
  type ActionTypeService,
  type FindActionType,
} from '../pipelines/action-type-service.js';
import { pipelineArn, type AccountScope } from '../pipelines/pipeline-arn.js';
import type { Effect } from './decide.js';
import { findRun, type ActionRun, type ExecutionState } from './execution-state.js';

/** What building a decision's jobs needs. */
export interface JobContext {
  scope: AccountScope;
  actionTypes: Pick<ActionTypeService, 'resolver'>;
  /** This process's built-in workers, when they take jobs at creation. */
  handoff: JobHandoff | undefined;
  nowMs: number;
}

/** A decision's new jobs, and the worker slots held for those handed over. */
export interface NewJobs {
  jobs: JobRecord[];
  reservations: { job: JobRecord; reservation: JobReservation }[];
}

/**
 * The jobs of the actions `effects` dispatch. Sets an approval's token (its job id) on `state`,
 * which must therefore be the state about to be committed.
 */
export async function jobsFor(
  state: ExecutionState,
  effects: Effect[],
  context: JobContext,
): Promise<NewJobs> {
  const result: NewJobs = { jobs: [], reservations: [] };
  let findActionType: FindActionType | undefined;
  for (const effect of effects) {
    if (effect.type !== 'DispatchAction') continue;
    const run = findRun(state, effect.actionExecutionId)?.run;
    const declared = run && findDeclared(state, run);
    if (!run || !declared) continue;
    const payload = buildJobPayload(
      state,
      run,
      declared,
      pipelineArn(context.scope, state.pipelineName),
    );
    const id = randomUUID();
    if (declared.actionTypeId.category === 'Approval') run.approvalToken = id;
    // Only custom action types can have a queryable property (custom-action-type-rules.ts), so
    // only they need the action types read.
    if (declared.actionTypeId.owner === 'Custom')
      findActionType ??= await context.actionTypes.resolver();
    const key = actionTypeKey(declared.actionTypeId);
    const reservation = context.handoff?.reserve(key, context.nowMs);
    const job: JobRecord = {
      id,
      actionExecutionId: run.actionExecutionId,
      executionId: state.executionId,
      actionTypeKey: key,
      status: reservation ? 'InProgress' : 'Queued',
      nonce: randomUUID(),
      workerId: reservation?.workerId ?? null,
      queryValue: findActionType ? queryValueOf(declared, run, findActionType) : null,
      dataJson: JSON.stringify(payload),
      leaseExpiresMs: reservation?.leaseExpiresMs ?? null,
      timeoutAtMs: context.nowMs + actionTimeoutMs(declared),
      createdMs: context.nowMs,
      updatedMs: context.nowMs,
    };
    result.jobs.push(job);
    if (reservation) result.reservations.push({ job, reservation });
  }
  return result;
}

/** The value of the action type's queryable property, which PollForJobs queryParam matches. */
function queryValueOf(
  declared: ActionDeclaration,
  run: ActionRun,
  find: FindActionType,
): string | null {
  const type = find(declared.actionTypeId);
  const queryable = type?.actionType.actionConfigurationProperties.find((p) => p.queryable);
  return queryable ? (run.resolvedConfiguration[queryable.name] ?? null) : null;
}

/**
 * The action executions a decision created or changed, as ListActionExecutions rows. A run
 * that had finished before the decision is never changed by it (decide() only touches running
 * runs and creates new ones), so only new and running runs are compared.
 */
export function changedActions(
  before: ExecutionState,
  after: ExecutionState,
): ActionExecutionRecord[] {
  const running = new Map<string, string>();
  const finished = new Set<string>();
  for (const run of before.stages.flatMap((s) => s.actions)) {
    if (run.status === 'InProgress') running.set(run.actionExecutionId, JSON.stringify(run));
    else finished.add(run.actionExecutionId);
  }
  const changed: ActionExecutionRecord[] = [];
  for (const run of after.stages.flatMap((s) => s.actions)) {
    if (finished.has(run.actionExecutionId)) continue;
    if (running.get(run.actionExecutionId) === JSON.stringify(run)) continue;
    const declared = findDeclared(after, run);
    changed.push({
      id: run.actionExecutionId,
      executionId: after.executionId,
      pipelineName: after.pipelineName,
      stageName: run.stageName,
      actionName: run.actionName,
      status: run.status,
      detailJson: JSON.stringify({ run, declared, pipelineVersion: after.pipelineVersion }),
      startedMs: run.startedMs,
      updatedMs: run.updatedMs,
    });
  }
  return changed;
}

/** The declaration of a run's action in the version the execution follows. */
export function findDeclared(state: ExecutionState, run: ActionRun): ActionDeclaration | undefined {
  return state.declaration.stages
    .find((s) => s.name === run.stageName)
    ?.actions.find((a) => a.name === run.actionName);
}
