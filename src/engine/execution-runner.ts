/**
 * The runner around decide(): loads an execution's state, decides, and commits the new state,
 * its action executions and its jobs in one transaction, compare-and-set on the state's
 * version. If another process committed first, it reads again and decides again, so replicas
 * on one PostgreSQL never apply two decisions to the same state.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { JobHandoff } from '../jobs/job-handoff.js';
import type { ActionTypeService } from '../pipelines/action-type-service.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import type { JobEnd } from '../store/execution-store.js';
import type { StateStore } from '../store/state-store.js';
import { CommittedStates, type CommittedState } from './committed-states.js';
import { decide, type Decision, type Effect, type EngineEvent } from './decide.js';
import { changedActions, jobsFor, type NewJobs } from './decision-rows.js';
import type { ExecutionState } from './execution-state.js';
import { KeyedMutex } from './keyed-mutex.js';
import { StateChangeObservers, type StateChangeObserver } from './state-change-observers.js';
import { stateChanges } from './state-changes.js';
import {
  blockedStages,
  executionModeOf,
  lockedStages,
  nextWaiter,
  occupiedStage,
  supersededBy,
} from './stage-locks.js';
import { readExecutionState, stateJsonOf } from './stored-execution-state.js';

const MAX_COMMIT_ATTEMPTS = 20;

/**
 * Tells this process's workers when there is work, and which actions were abandoned; the
 * built-in workers also offer themselves here to take new jobs at creation (job-handoff.ts).
 */
export class JobSignals extends EventEmitter<{ queued: []; abandoned: [string] }> {
  handoff: JobHandoff | undefined;
}

export type { StateChangeObserver } from './state-change-observers.js';

export class ExecutionRunner {
  private readonly pipelineLocks = new KeyedMutex();
  private readonly observers = new StateChangeObservers();
  private readonly committed = new CommittedStates();

  constructor(
    private readonly store: StateStore,
    private readonly scope: AccountScope,
    private readonly actionTypes: Pick<ActionTypeService, 'resolver'>,
    readonly signals: JobSignals,
  ) {}

  /**
   * Applies one event to an execution and returns its new state, then lets other runs of the
   * pipeline react: a freed stage admits a waiting run, and a newly waiting run supersedes
   * older ones (stage-locks.ts). `endJob` ends the job whose outcome the event reports in the
   * same transaction (JobNotEndedError, and nothing written, if it had already ended).
   */
  async apply(executionId: string, event: EngineEvent, endJob?: JobEnd): Promise<ExecutionState> {
    const pipelineName =
      this.committed.get(executionId)?.state.pipelineName ??
      (await this.load(executionId)).state.pipelineName;
    // Decisions about one pipeline's runs are taken one at a time in this process, so that a
    // stage lock is never granted twice on the strength of the same stale read.
    // The in-process lock queues this process's decisions; the store's named lock (a
    // PostgreSQL advisory lock, nothing on SQLite) excludes other replicas'.
    const { before, after, handedOver } = await this.pipelineLocks.run(pipelineName, () =>
      this.store.withLock(`pipeline:${pipelineName}`, () =>
        this.decideAndCommit(executionId, event, endJob),
      ),
    );
    const changes = stateChanges(before, after);
    if (handedOver.length > 0) {
      // Recorded once the jobs it handed over have started (state-change-observers.ts).
      this.observers.tell(changes, Promise.all(handedOver)).catch(() => undefined);
    } else {
      await this.observers.tell(changes);
    }
    await this.reactToStageChanges(before, after);
    return after;
  }

  /** Adds an observer of state changes; it must handle its own failures. */
  observe(observer: StateChangeObserver): void {
    this.observers.add(observer);
  }

  /** Resolves once observers have been told of every decision committed so far. */
  settled(): Promise<void> {
    return this.observers.settled();
  }

  private async decideAndCommit(executionId: string, event: EngineEvent, endJob?: JobEnd) {
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      const current = this.committed.get(executionId) ?? (await this.load(executionId));
      const { state } = current;
      const nowMs = Date.now();
      // Stage locks matter only to a decision that enters a stage. It is first taken as if no
      // stage were locked, and the locks (other runs, disabled transitions) are read, and the
      // decision taken again, only if it asked about one.
      let asked = false;
      let next = decide(state, event, {
        nowMs,
        newActionExecutionId: randomUUID,
        isStageLocked: () => {
          asked = true;
          return false;
        },
      });
      if (asked) {
        const locked = await this.lockedStages(state);
        next = decide(state, event, {
          nowMs,
          newActionExecutionId: randomUUID,
          isStageLocked: (name) => locked.has(name),
        });
      }
      const committed = await this.commit(current, next, nowMs, endJob);
      if (committed) return { before: state, after: next.state, ...committed };
      // Another process decided first: read its state and decide again.
      this.committed.forget(executionId);
    }
    throw new Error(`execution ${executionId} kept changing under ${MAX_COMMIT_ATTEMPTS} attempts`);
  }

  /**
   * Writes a decision if the execution is still at the state it was taken from. The slots of
   * workers that take its jobs at creation are held until then, and given back if it is not.
   */
  private async commit(
    current: CommittedState,
    { state: after, effects }: Decision,
    nowMs: number,
    endJob: JobEnd | undefined,
  ): Promise<{ handedOver: Promise<void>[] } | undefined> {
    let newJobs: NewJobs = { jobs: [], reservations: [] };
    let committed = false;
    try {
      // Jobs first: an approval's token is its job id, which the new state must show.
      newJobs = await jobsFor(after, effects, {
        scope: this.scope,
        actionTypes: this.actionTypes,
        handoff: this.signals.handoff,
        nowMs,
      });
      committed = await this.store.executions.commitDecision({
        executionId: after.executionId,
        expectedStateVersion: current.stateVersion,
        status: after.status,
        stateJson: stateJsonOf(after, current.declarationSha256),
        updatedMs: nowMs,
        actions: changedActions(current.state, after),
        newJobs: newJobs.jobs,
        endJobsOfActions: abandoned(effects),
        ...(endJob ? { endJob } : {}),
      });
    } finally {
      for (const { job, reservation } of newJobs.reservations) {
        if (committed) reservation.take(job);
        else reservation.release();
      }
    }
    if (committed) {
      this.committed.set(after.executionId, {
        state: after,
        stateVersion: current.stateVersion + 1,
        declarationSha256: current.declarationSha256,
      });
      const queued = newJobs.jobs.length > newJobs.reservations.length;
      this.announce(effects, queued);
    }
    if (!committed) return undefined;
    return { handedOver: newJobs.reservations.map(({ reservation }) => reservation.prepared()) };
  }

  /** The execution as stored, read and parsed. */
  private async load(executionId: string): Promise<CommittedState> {
    const record = await this.store.executions.getExecution(executionId);
    if (!record) throw new Error(`execution ${executionId} does not exist`);
    return {
      state: await readExecutionState(this.store.executions, record),
      stateVersion: record.stateVersion,
      declarationSha256: record.declarationSha256,
    };
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

  /** Stages `state` may not enter now: held by another run, or behind a disabled transition. */
  private async lockedStages(state: ExecutionState): Promise<Set<string>> {
    // A PARALLEL run locks nothing and waits for nothing: the other runs need not be read.
    const others =
      executionModeOf(state) === 'PARALLEL' ? [] : await this.unfinishedRuns(state.pipelineName);
    const locked = lockedStages(state, others);
    const transitions = await this.store.listStageTransitions(state.pipelineName);
    for (const name of blockedStages(state, transitions)) locked.add(name);
    return locked;
  }

  private async unfinishedRuns(pipelineName: string): Promise<ExecutionState[]> {
    const records = await this.store.executions.listUnfinishedExecutions(pipelineName);
    return Promise.all(records.map((r) => readExecutionState(this.store.executions, r)));
  }

  /** Wakes the workers for jobs left Queued, and tells them which actions were abandoned. */
  private announce(effects: Effect[], queued: boolean): void {
    if (queued) this.signals.emit('queued');
    for (const id of abandoned(effects)) this.signals.emit('abandoned', id);
  }
}

function abandoned(effects: Effect[]): string[] {
  return effects.flatMap((e) => (e.type === 'AbandonAction' ? [e.actionExecutionId] : []));
}
