/**
 * Watches jobs nobody else will end: a job past its action's timeout fails its action as
 * timed out (CodePipeline's default timeouts, jobs/action-timeouts.ts), and a job whose worker
 * stopped renewing its lease (a crashed server, a lost remote worker) fails with that reason.
 * At start-up it also re-reports outcomes a crash kept from reaching the engine.
 */
import type { JobRecord } from '../store/execution-store.js';
import type { StateStore } from '../store/state-store.js';
import { readExecutionState } from '../engine/stored-execution-state.js';
import type { JobPayload } from './job-data.js';
import type { JobService } from './job-service.js';

export class JobSupervisor {
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;

  constructor(
    private readonly store: StateStore,
    private readonly jobs: JobService,
    private readonly intervalMs: number,
    private readonly logError: (message: string, error: unknown) => void,
  ) {}

  /** Repairs what a crash left, then sweeps periodically. */
  async start(): Promise<void> {
    await this.recover();
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Ends every overdue job once. */
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const nowMs = Date.now();
      for (const job of await this.store.executions.listOverdueJobs(nowMs, 100)) {
        await this.expire(job, nowMs);
      }
    } catch (error) {
      this.logError('the job sweep failed', error);
    } finally {
      this.sweeping = false;
    }
  }

  private async expire(job: JobRecord, nowMs: number): Promise<void> {
    if (job.timeoutAtMs <= nowMs) {
      const minutes = Math.round((job.timeoutAtMs - job.createdMs) / 60_000);
      return this.jobs.expire(
        job,
        'TimedOut',
        `The action timed out after ${minutes} minutes without a result.`,
      );
    }
    await this.jobs.expire(
      job,
      'Failed',
      `The worker running this action (${job.workerId ?? 'unknown'}) stopped renewing its lease, ` +
        'so the action cannot finish; the server may have restarted or the worker was lost.',
    );
  }

  /** Re-reports recorded outcomes of actions the engine still shows as running. */
  private async recover(): Promise<void> {
    for (const record of await this.store.executions.listUnfinishedExecutions()) {
      const state = await readExecutionState(this.store.executions, record);
      const running = state.stages
        .flatMap((s) => s.actions)
        .filter((a) => a.status === 'InProgress');
      for (const run of running) {
        const job = await this.store.executions.jobOfAction(run.actionExecutionId);
        const outcome = job && (JSON.parse(job.dataJson) as JobPayload).outcome;
        if (job && outcome) await this.jobs.report(job.executionId, run.actionExecutionId, outcome);
      }
    }
  }
}
