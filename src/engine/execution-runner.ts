/**
 * The runner around decide(): loads an execution's state, decides, and commits the new state,
 * its action executions and its jobs in one transaction, compare-and-set on the state's
 * version. If another process committed first, it reads again and decides again, so replicas
 * on one PostgreSQL never apply two decisions to the same state.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ActionDeclaration } from '../pipelines/declaration.js';
import type { ActionExecutionRecord, JobRecord } from '../store/execution-store.js';
import type { StateStore } from '../store/state-store.js';
import { actionTimeoutMs } from '../jobs/action-timeouts.js';
import { buildJobPayload } from '../jobs/job-data.js';
import {
  actionTypeKey,
  type ActionTypeService,
  type FindActionType,
} from '../pipelines/action-type-service.js';
import { pipelineArn, type AccountScope } from '../pipelines/pipeline-arn.js';
import { decide, type Effect, type EngineEvent } from './decide.js';
import { findRun, type ActionRun, type ExecutionState } from './execution-state.js';
import { KeyedMutex } from './keyed-mutex.js';
import { stateChanges, type StateChange } from './state-changes.js';
import {
  blockedStages,
  executionModeOf,
  lockedStages,
  nextWaiter,
  occupiedStage,
  supersededBy,
} from './stage-locks.js';

const MAX_COMMIT_ATTEMPTS = 20;

/** Tells this process's workers when there is work, and which actions were abandoned. */
export class JobSignals extends EventEmitter<{ queued: []; abandoned: [string] }> {}

/** Told of every state change a committed decision made (the audit trail listens). */
export type StateChangeObserver = (changes: StateChange[]) => Promise<void>;

export class ExecutionRunner {
  private readonly pipelineLocks = new KeyedMutex();
  private readonly observers: StateChangeObserver[] = [];

  constructor(
    private readonly store: StateStore,
    private readonly scope: AccountScope,
    private readonly actionTypes: Pick<ActionTypeService, 'resolver'>,
    readonly signals: JobSignals,
  ) {}

  /**
   * Applies one event to an execution and returns its new state, then lets other runs of the
   * pipeline react: a freed stage admits a waiting run, and a newly waiting run supersedes
   * older ones (stage-locks.ts).
   */
  async apply(executionId: string, event: EngineEvent): Promise<ExecutionState> {
    const record = await this.store.executions.getExecution(executionId);
    if (!record) throw new Error(`execution ${executionId} does not exist`);
    // Decisions about one pipeline's runs are taken one at a time in this process, so that a
    // stage lock is never granted twice on the strength of the same stale read.
    // The in-process lock queues this process's decisions; the store's named lock (a
    // PostgreSQL advisory lock, nothing on SQLite) excludes other replicas'.
    const { before, after } = await this.pipelineLocks.run(record.pipelineName, () =>
      this.store.withLock(`pipeline:${record.pipelineName}`, () =>
        this.decideAndCommit(executionId, event),
      ),
    );
    const changes = stateChanges(before, after);
    for (const observer of this.observers) await observer(changes);
    await this.reactToStageChanges(before, after);
    return after;
  }

  /** Adds an observer of state changes; it must handle its own failures. */
  observe(observer: StateChangeObserver): void {
    this.observers.push(observer);
  }

  private async decideAndCommit(executionId: string, event: EngineEvent) {
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      const record = await this.store.executions.getExecution(executionId);
      if (!record) throw new Error(`execution ${executionId} does not exist`);
      const state = JSON.parse(record.stateJson) as ExecutionState;
      const nowMs = Date.now();
      const locked = lockedStages(state, await this.unfinishedRuns(state.pipelineName));
      for (const name of blockedStages(
        state,
        await this.store.listStageTransitions(state.pipelineName),
      )) {
        locked.add(name);
      }
      const next = decide(state, event, {
        nowMs,
        newActionExecutionId: randomUUID,
        isStageLocked: (name) => locked.has(name),
      });
      // Jobs first: an approval's token is its job id, which the new state must show.
      const newJobs = await this.jobsFor(next.state, next.effects, nowMs);
      const committed = await this.store.executions.commitDecision({
        executionId,
        expectedStateVersion: record.stateVersion,
        status: next.state.status,
        stateJson: JSON.stringify(next.state),
        updatedMs: nowMs,
        actions: changedActions(state, next.state),
        newJobs,
        endJobsOfActions: abandoned(next.effects),
      });
      if (committed) {
        this.announce(next.effects);
        return { before: state, after: next.state };
      }
    }
    throw new Error(`execution ${executionId} kept changing under ${MAX_COMMIT_ATTEMPTS} attempts`);
  }

  private async reactToStageChanges(before: ExecutionState, after: ExecutionState): Promise<void> {
    if (executionModeOf(after) === 'PARALLEL') return;
    const runs = await this.unfinishedRuns(after.pipelineName);
    for (const older of supersededBy(after, runs)) {
      await this.apply(older.executionId, { type: 'Supersede', byExecutionId: after.executionId });
    }
    const freed = occupiedStage(before);
    if (freed === undefined || freed === occupiedStage(after)) return;
    const waiter = nextWaiter(executionModeOf(after), freed, runs);
    if (waiter) await this.apply(waiter.executionId, { type: 'StageUnlocked' });
  }

  /** Lets waiting runs try a stage again (its transition was enabled). */
  async wakeStage(pipelineName: string, stageName: string): Promise<void> {
    const runs = await this.unfinishedRuns(pipelineName);
    const waiting = runs.filter((run) => run.waitingToEnter === stageName);
    const mode = waiting[0] ? executionModeOf(waiting[0]) : 'PARALLEL';
    const admitted = mode === 'PARALLEL' ? waiting : [nextWaiter(mode, stageName, runs)];
    for (const run of admitted) {
      if (run) await this.apply(run.executionId, { type: 'StageUnlocked' });
    }
  }

  private async unfinishedRuns(pipelineName: string): Promise<ExecutionState[]> {
    const records = await this.store.executions.listUnfinishedExecutions(pipelineName);
    return records.map((r) => JSON.parse(r.stateJson) as ExecutionState);
  }

  private async jobsFor(
    state: ExecutionState,
    effects: Effect[],
    nowMs: number,
  ): Promise<JobRecord[]> {
    const jobs: JobRecord[] = [];
    if (!effects.some((e) => e.type === 'DispatchAction')) return jobs;
    const findActionType = await this.actionTypes.resolver();
    for (const effect of effects) {
      if (effect.type !== 'DispatchAction') continue;
      const run = findRun(state, effect.actionExecutionId)?.run;
      const declared = run && findDeclared(state, run);
      if (!run || !declared) continue;
      const payload = buildJobPayload(
        state,
        run,
        declared,
        pipelineArn(this.scope, state.pipelineName),
      );
      const id = randomUUID();
      if (declared.actionTypeId.category === 'Approval') run.approvalToken = id;
      jobs.push({
        id,
        actionExecutionId: run.actionExecutionId,
        executionId: state.executionId,
        actionTypeKey: actionTypeKey(declared.actionTypeId),
        status: 'Queued',
        nonce: randomUUID(),
        workerId: null,
        queryValue: queryValueOf(declared, run, findActionType),
        dataJson: JSON.stringify(payload),
        leaseExpiresMs: null,
        timeoutAtMs: nowMs + actionTimeoutMs(declared),
        createdMs: nowMs,
        updatedMs: nowMs,
      });
    }
    return jobs;
  }

  private announce(effects: Effect[]): void {
    if (effects.some((e) => e.type === 'DispatchAction')) this.signals.emit('queued');
    for (const id of abandoned(effects)) this.signals.emit('abandoned', id);
  }
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

function abandoned(effects: Effect[]): string[] {
  return effects.flatMap((e) => (e.type === 'AbandonAction' ? [e.actionExecutionId] : []));
}

/** The action executions a decision created or changed, as ListActionExecutions rows. */
function changedActions(before: ExecutionState, after: ExecutionState): ActionExecutionRecord[] {
  const previous = new Map(
    before.stages
      .flatMap((s) => s.actions)
      .map((run) => [run.actionExecutionId, JSON.stringify(run)]),
  );
  const changed: ActionExecutionRecord[] = [];
  for (const run of after.stages.flatMap((s) => s.actions)) {
    if (previous.get(run.actionExecutionId) === JSON.stringify(run)) continue;
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
