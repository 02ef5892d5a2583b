/**
 * Handing a job to a built-in worker of this process in the decision that creates it. Without
 * it, the job is committed Queued and a worker claims it with a second write; with it, the job
 * is committed already InProgress under the worker's id and lease, and the worker starts it the
 * moment the decision commits. It is still claimed exactly once (no other worker can take an
 * InProgress job) and still leased: a server that dies before running it stops renewing the
 * lease, and the supervisor fails the action as it would any lost job.
 */
import type { JobRecord } from '../store/execution-store.js';

/** A free slot of a worker, held for one job until its decision commits or fails. */
export interface JobReservation {
  workerId: string;
  leaseExpiresMs: number;
  /** Starts the job: the decision that created it has committed. */
  take(job: JobRecord): void;
  /** Gives the slot back: the decision did not commit. */
  release(): void;
  /**
   * Resolves once the job's action has started its process (or ended, or was never taken), so
   * that work which can wait, such as recording the decision, does not delay it.
   */
  prepared(): Promise<void>;
}

/** Built-in workers that can take a job the moment it is created. */
export interface JobHandoff {
  /** A slot for a job of this action type, or undefined when none is free. */
  reserve(actionTypeKey: string, nowMs: number): JobReservation | undefined;
}
