/**
 * The server's own job workers: they claim queued jobs of the built-in action types (one
 * claim per job, even across replicas), hold each with a lease they renew while the action
 * runs, run the provider in a fresh workspace, and report the outcome through JobService —
 * the same path an external worker's PutJobSuccessResult takes.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import type { JobSignals } from '../engine/execution-runner.js';
import type { RootKey } from '../kms/root-key.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import type { BuiltInProvider, ProviderContext } from '../providers/built-in-provider.js';
import type { JobRecord } from '../store/execution-store.js';
import type { StateStore } from '../store/state-store.js';
import { issueActionCredentials } from './action-credentials.js';
import type { JobOutcome, JobPayload } from './job-data.js';
import type { JobService } from './job-service.js';

export interface BuiltInWorkerOptions {
  workerId: string;
  dataDir: string;
  concurrency: number;
  leaseMs: number;
  pollIntervalMs: number;
  /** What action sessions are issued with: the root key seals their secrets. */
  rootKey: RootKey;
  scope: AccountScope;
}

export class BuiltInWorkers {
  private readonly byKey: Map<string, BuiltInProvider>;
  private readonly running = new Map<
    string,
    { actionExecutionId: string; abort: AbortController; done: Promise<void> }
  >();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private claiming = false;
  /** Lockstep's URL as an action's sandbox reaches it; known only once the server listens. */
  private serverUrl: string | undefined;
  private readonly wake = () => void this.fill();
  private readonly onAbandoned = (actionExecutionId: string) => {
    for (const entry of this.running.values()) {
      if (entry.actionExecutionId === actionExecutionId) {
        entry.abort.abort(new Error(`action ${actionExecutionId} was abandoned`));
      }
    }
  };

  constructor(
    private readonly store: StateStore,
    private readonly jobs: JobService,
    private readonly signals: JobSignals,
    private readonly artifacts: ArtifactStore,
    providers: BuiltInProvider[],
    private readonly options: BuiltInWorkerOptions,
    private readonly logError: (message: string, error: unknown) => void,
  ) {
    this.byKey = new Map(
      providers.flatMap((p) => p.actionTypeKeys.map((key) => [key, p] as const)),
    );
  }

  /**
   * Sets the URL handed to actions as AWS_ENDPOINT_URL. The sandbox shares the host's network,
   * so a wildcard listen address becomes loopback, which the sandbox can always reach.
   */
  setServerUrl(url: string): void {
    const parsed = new URL(url);
    if (parsed.hostname === '0.0.0.0') parsed.hostname = '127.0.0.1';
    if (parsed.hostname === '[::]') parsed.hostname = '[::1]';
    this.serverUrl = parsed.origin;
  }

  /** Starts claiming jobs, on every new-job signal and on a timer for other replicas' jobs. */
  start(): void {
    this.signals.on('queued', this.wake);
    this.signals.on('abandoned', this.onAbandoned);
    this.timer = setInterval(this.wake, this.options.pollIntervalMs);
    this.wake();
  }

  /** Stops claiming, aborts the actions still running and waits for them to report. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.signals.off('queued', this.wake);
    this.signals.off('abandoned', this.onAbandoned);
    for (const entry of this.running.values())
      entry.abort.abort(new Error('the Lockstep server is shutting down'));
    await Promise.allSettled([...this.running.values()].map((entry) => entry.done));
  }

  private async fill(): Promise<void> {
    if (this.claiming || this.stopped) return;
    this.claiming = true;
    try {
      while (!this.stopped && this.running.size < this.options.concurrency) {
        const nowMs = Date.now();
        const job = await this.store.executions.claimJob(
          [...this.byKey.keys()],
          this.options.workerId,
          nowMs + this.options.leaseMs,
          nowMs,
        );
        if (!job) break;
        this.launch(job);
      }
    } catch (error) {
      this.logError('claiming a job failed', error);
    } finally {
      this.claiming = false;
    }
  }

  private launch(job: JobRecord): void {
    const abort = new AbortController();
    const done = this.runJob(job, abort.signal)
      .catch((error: unknown) => this.logError(`job ${job.id} could not report its outcome`, error))
      .finally(() => {
        this.running.delete(job.id);
        this.wake();
      });
    this.running.set(job.id, { actionExecutionId: job.actionExecutionId, abort, done });
  }

  private async runJob(job: JobRecord, signal: AbortSignal): Promise<void> {
    const payload = JSON.parse(job.dataJson) as JobPayload;
    const provider = this.byKey.get(job.actionTypeKey);
    const workspaceRoot = path.join(this.options.dataDir, 'workspaces');
    await mkdir(workspaceRoot, { recursive: true, mode: 0o700 });
    const workspaceDir = await mkdtemp(path.join(workspaceRoot, 'job-'));
    const lease = setInterval(() => void this.renewLease(job), this.options.leaseMs / 3);
    try {
      const context = await this.contextFor(job, payload, workspaceDir, signal);
      let outcome: JobOutcome;
      try {
        if (!provider) throw new Error(`no built-in provider runs ${job.actionTypeKey}`);
        outcome = await provider.run(context);
      } catch (error) {
        outcome = { status: 'Failed', errorCode: 'JobFailed', message: (error as Error).message };
      }
      if (signal.aborted && outcome.status === 'Succeeded') {
        outcome = {
          status: 'Failed',
          errorCode: 'JobFailed',
          message: String((signal.reason as Error)?.message),
        };
      }
      await this.jobs.complete(job, ['InProgress'], outcome).catch((error: unknown) => {
        // An abandoned action's job has already ended, or went with its deleted pipeline;
        // its late outcome is not wanted.
        const code = (error as { code?: string }).code;
        if (code !== 'InvalidJobStateException' && code !== 'JobNotFoundException') throw error;
      });
    } finally {
      clearInterval(lease);
      await rm(workspaceDir, { recursive: true, force: true });
    }
  }

  private async contextFor(
    job: JobRecord,
    payload: JobPayload,
    workspaceDir: string,
    signal: AbortSignal,
  ): Promise<ProviderContext> {
    const { pipelineName } = payload.jobData.pipelineContext;
    const logDir = path.join(this.options.dataDir, 'logs', pipelineName, job.executionId);
    await mkdir(logDir, { recursive: true, mode: 0o700 });
    return {
      job,
      payload,
      workspaceDir,
      logFile: path.join(logDir, `${job.actionExecutionId}.log`),
      signal,
      artifacts: this.artifacts,
      connections: this.store.connections,
      codeBuildProjects: this.store.codeBuildProjects,
      outputKey: (artifactName) => ({ pipelineName, executionId: job.executionId, artifactName }),
      remainingMs: () => Math.max(0, job.timeoutAtMs - Date.now()),
      actionCredentials: () =>
        issueActionCredentials(
          {
            store: this.store,
            rootKey: this.options.rootKey,
            scope: this.options.scope,
            serverUrl: this.serverUrl,
            nowMs: Date.now(),
          },
          payload,
          Math.max(0, job.timeoutAtMs - Date.now()),
        ),
    };
  }

  private async renewLease(job: JobRecord): Promise<void> {
    const nowMs = Date.now();
    await this.store.executions
      .transitionJob(job.id, ['InProgress'], 'InProgress', {
        nowMs,
        leaseExpiresMs: nowMs + this.options.leaseMs,
      })
      .catch((error: unknown) =>
        this.logError(`renewing the lease of job ${job.id} failed`, error),
      );
  }
}
