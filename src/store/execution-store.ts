/**
 * Durable state of pipeline executions and their jobs. The engine keeps each execution's
 * whole state as one JSON document replaced by compare-and-set (`commitDecision`); action
 * executions and jobs are rows beside it so that listings and job claims are plain queries.
 */

/** CodePipeline's JobStatus values. */
export type JobStatus =
  'Created' | 'Queued' | 'Dispatched' | 'InProgress' | 'TimedOut' | 'Succeeded' | 'Failed';

export interface ExecutionRecord {
  id: string;
  pipelineName: string;
  pipelineVersion: number;
  status: string;
  clientRequestToken: string | null;
  /** The engine's state without the declaration, unless declarationSha256 is null. */
  stateJson: string;
  stateVersion: number;
  createdMs: number;
  updatedMs: number;
  /**
   * The declaration the run follows, in execution_declarations. Null for executions written
   * before declarations were stored apart: their stateJson holds it.
   */
  declarationSha256: string | null;
}

/** A pipeline declaration as executions reference it: stored once, named by its SHA-256. */
export interface StoredDeclaration {
  sha256: string;
  json: string;
}

export interface ActionExecutionRecord {
  id: string;
  executionId: string;
  pipelineName: string;
  stageName: string;
  actionName: string;
  status: string;
  /** Everything ListActionExecutions shows of it, as JSON. */
  detailJson: string;
  startedMs: number;
  updatedMs: number;
}

export interface JobRecord {
  id: string;
  actionExecutionId: string;
  executionId: string;
  /** `category/owner/provider/version` of the action type that may take this job. */
  actionTypeKey: string;
  status: JobStatus;
  nonce: string;
  workerId: string | null;
  /** The value of the action type's queryable property, for PollForJobs queryParam. */
  queryValue: string | null;
  dataJson: string;
  leaseExpiresMs: number | null;
  timeoutAtMs: number;
  createdMs: number;
  updatedMs: number;
}

/** One decision of the engine, written in a single transaction. */
export interface DecisionCommit {
  executionId: string;
  expectedStateVersion: number;
  status: string;
  stateJson: string;
  updatedMs: number;
  /** Action executions created or changed by the decision (upserted). */
  actions: ActionExecutionRecord[];
  newJobs: JobRecord[];
  /** Action executions whose unfinished jobs end now (abandoned or cancelled). */
  endJobsOfActions: string[];
  /**
   * The job whose outcome the decision takes in, ended in the same transaction; if it is no
   * longer in one of `from`, nothing is written and commitDecision throws JobNotEndedError.
   */
  endJob?: JobEnd;
}

/** A job moved to its final status with its outcome recorded, if it is still in `from`. */
export interface JobEnd {
  id: string;
  from: JobStatus[];
  to: JobStatus;
  dataJson: string;
}

export class ClientRequestTokenTakenError extends Error {}

/** The job a decision was to end had already ended, or is gone; the decision was not written. */
export class JobNotEndedError extends Error {}

export interface ExecutionStore {
  /**
   * Inserts a new execution and, unless already stored, the declaration it follows;
   * ClientRequestTokenTakenError if its token was used before.
   */
  insertExecution(record: ExecutionRecord, declaration: StoredDeclaration): Promise<void>;
  getExecution(id: string): Promise<ExecutionRecord | undefined>;
  /** The JSON of the declaration with this SHA-256, if an execution still follows it. */
  getDeclaration(sha256: string): Promise<string | undefined>;
  findExecutionByToken(pipelineName: string, token: string): Promise<ExecutionRecord | undefined>;
  /** Executions of a pipeline, newest first, starting after `after` (an execution id). */
  listExecutions(
    pipelineName: string,
    after: string | undefined,
    limit: number,
  ): Promise<ExecutionRecord[]>;
  /** Executions not yet finished, of one pipeline or of all. */
  listUnfinishedExecutions(pipelineName?: string): Promise<ExecutionRecord[]>;
  /** Applies a decision if the execution is still at `expectedStateVersion`; false if not. */
  commitDecision(commit: DecisionCommit): Promise<boolean>;
  /**
   * Action executions of a pipeline, newest first (ties by id), optionally of one execution,
   * starting after the one at `after`.
   */
  listActionExecutions(
    pipelineName: string,
    executionId: string | undefined,
    after: { startedMs: number; id: string } | undefined,
    limit: number,
  ): Promise<ActionExecutionRecord[]>;
  getActionExecution(id: string): Promise<ActionExecutionRecord | undefined>;

  /**
   * Forgets a deleted pipeline's executions, action executions and jobs, and the declarations
   * no execution follows any more.
   */
  deleteExecutionsOf(pipelineName: string): Promise<void>;

  getJob(id: string): Promise<JobRecord | undefined>;
  jobOfAction(actionExecutionId: string): Promise<JobRecord | undefined>;
  /** Takes the oldest Queued job of these types for a built-in worker, exactly once. */
  claimJob(
    actionTypeKeys: string[],
    workerId: string,
    leaseExpiresMs: number,
    nowMs: number,
  ): Promise<JobRecord | undefined>;
  /** Queued or Dispatched jobs of a type for PollForJobs; marks them Dispatched. */
  pollJobs(
    actionTypeKey: string,
    queryValue: string | undefined,
    limit: number,
    nowMs: number,
  ): Promise<JobRecord[]>;
  /** Moves a job between statuses if it is in one of `from` (and, if given, has `nonce`). */
  transitionJob(
    id: string,
    from: JobStatus[],
    to: JobStatus,
    changes: {
      nowMs: number;
      nonce?: string;
      workerId?: string;
      leaseExpiresMs?: number | null;
      dataJson?: string;
    },
  ): Promise<JobRecord | undefined>;
  /** Adds a job outside a decision: the next job of an action that returned a continuation. */
  insertJob(job: JobRecord): Promise<void>;
  /** Jobs past their action timeout, or InProgress with an expired lease. */
  listOverdueJobs(nowMs: number, limit: number): Promise<JobRecord[]>;
}
