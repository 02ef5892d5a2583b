/**
 * Jobs, as workers see them (DESIGN.md principle 3): every action runs as a job, whether a
 * built-in worker in this process takes it or an external worker polls for it over the
 * CodePipeline job protocol. A reported outcome is written on the job in the same transaction
 * as the engine's decision on it, so the two cannot part. A job that expires is ended first and
 * reported after; a crash between the two is repaired at start-up (JobSupervisor).
 */
import { randomUUID } from 'node:crypto';
import { InvalidJobStateException, JobNotFoundException } from '../errors/codepipeline-errors.js';
import type { EngineEvent } from '../engine/decide.js';
import type { ExecutionRunner } from '../engine/execution-runner.js';
import type { JobRecord, JobStatus } from '../store/execution-store.js';
import type { StateStore } from '../store/state-store.js';
import type { JobOutcome, JobPayload } from './job-data.js';

export class JobService {
  constructor(
    private readonly store: StateStore,
    private readonly runner: ExecutionRunner,
  ) {}

  /** The job with this id, or JobNotFoundException. */
  async require(jobId: string): Promise<JobRecord> {
    const job = await this.store.executions.getJob(jobId);
    if (!job) throw new JobNotFoundException(`Job ${jobId} does not exist.`);
    return job;
  }

  /**
   * Records a job's outcome and the engine's decision on it, together; InvalidJobStateException
   * if the job had already ended, JobNotFoundException if it is gone.
   */
  async complete(job: JobRecord, from: JobStatus[], outcome: JobOutcome): Promise<void> {
    const payload = JSON.parse(job.dataJson) as JobPayload;
    try {
      await this.runner.apply(job.executionId, eventOf(job.actionExecutionId, outcome), {
        id: job.id,
        from,
        to: outcome.status === 'Succeeded' ? 'Succeeded' : 'Failed',
        dataJson: JSON.stringify({ ...payload, outcome }),
      });
    } catch (error) {
      // The job's status now says why nothing was written: it ended, or went with its pipeline.
      const current = await this.require(job.id);
      if (!from.includes(current.status)) {
        throw new InvalidJobStateException(
          `Job ${job.id} is ${current.status}; only a job in ${from.join(' or ')} can report a result.`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  /** Ends a job that ran out of time or lost its worker, failing its action with `message`. */
  async expire(job: JobRecord, status: 'TimedOut' | 'Failed', message: string): Promise<void> {
    const outcome: JobOutcome = { status: 'Failed', errorCode: 'JobFailed', message };
    const payload = JSON.parse(job.dataJson) as JobPayload;
    const ended = await this.store.executions.transitionJob(job.id, [job.status], status, {
      nowMs: Date.now(),
      leaseExpiresMs: null,
      dataJson: JSON.stringify({ ...payload, outcome }),
    });
    if (ended) await this.report(job.executionId, job.actionExecutionId, outcome);
  }

  /** Ends this job and queues the next one for the same action, carrying the token. */
  async continueWith(job: JobRecord, continuationToken: string): Promise<void> {
    const ended = await this.store.executions.transitionJob(job.id, ['InProgress'], 'Succeeded', {
      nowMs: Date.now(),
      leaseExpiresMs: null,
    });
    if (!ended) throw new InvalidJobStateException(`Job ${job.id} is not in progress.`);
    const payload = JSON.parse(job.dataJson) as JobPayload;
    payload.jobData.continuationToken = continuationToken;
    const nowMs = Date.now();
    await this.store.executions.insertJob({
      ...job,
      id: randomUUID(),
      status: 'Queued',
      nonce: randomUUID(),
      workerId: null,
      dataJson: JSON.stringify(payload),
      leaseExpiresMs: null,
      createdMs: nowMs,
      updatedMs: nowMs,
    });
    this.runner.signals.emit('queued');
  }

  /** Resolves once every outcome reported so far has been recorded everywhere (the audit trail). */
  settled(): Promise<void> {
    return this.runner.settled();
  }

  /** Tells the engine how an action ended. */
  async report(executionId: string, actionExecutionId: string, outcome: JobOutcome): Promise<void> {
    await this.runner.apply(executionId, eventOf(actionExecutionId, outcome));
  }
}

/** The engine event that reports an action's outcome. */
function eventOf(actionExecutionId: string, outcome: JobOutcome): EngineEvent {
  return outcome.status === 'Succeeded'
    ? { type: 'ActionSucceeded', actionExecutionId, ...withoutStatus(outcome) }
    : { type: 'ActionFailed', actionExecutionId, ...withoutStatus(outcome) };
}

function withoutStatus<T extends { status: string }>(outcome: T): Omit<T, 'status'> {
  const rest: Partial<T> = { ...outcome };
  delete rest.status;
  return rest as Omit<T, 'status'>;
}
