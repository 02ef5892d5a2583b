/**
 * The server's own job workers: they claim queued jobs of the built-in action types (one
 * claim per job, even across replicas), hold each with a lease they renew while the action
 * runs, run the provider in a fresh workspace, and report the outcome through JobService —
 * the same path an external worker's PutJobSuccessResult takes. A job this process's engine
 * creates while a worker slot is free is handed over in its decision (job-handoff.ts) rather than
 * claimed afterwards; the claim loop serves the rest (no slot was free, or another replica made
 * them).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import type { JobSignals } from '../engine/execution-runner.js';
import type { RootKey } from '../kms/root-key.js';
import type { ActionLogCipher } from '../logs/sealed-log.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import type { BuiltInProvider, ProviderContext } from '../providers/built-in-provider.js';
import type { JobRecord } from '../store/execution-store.js';
import type { StateStore } from '../store/state-store.js';
import { Redactor } from '../secrets/redaction.js';
import type { SecretResolver } from '../secrets/secret-references.js';
import { runRedactor } from '../providers/run-redactor.js';
import { issueActionCredentials } from './action-credentials.js';
import { actionObjects, type ActionObjectDeps } from './action-objects.js';
import {
  actionSecretResolver,
  redactOutcome,
  withResolvedConfiguration,
  type ActionSecretDeps,
} from './action-secrets.js';
import type { JobOutcome, JobPayload } from './job-data.js';
import type { JobHandoff, JobReservation } from './job-handoff.js';
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
  /** How actions read the secrets they name, as their role; absent, naming one fails. */
  secrets?: Omit<ActionSecretDeps, 'scope'>;
  /** How S3 source and deploy actions reach objects, as their role. */
  objects?: ActionObjectDeps;
  /** Seals action logs at rest (logs/sealed-log.ts); absent, they are written in clear. */
  logCipher?: ActionLogCipher;
}

export class BuiltInWorkers implements JobHandoff {
  private readonly byKey: Map<string, BuiltInProvider>;
  private readonly running = new Map<
    string,
    { actionExecutionId: string; abort: AbortController; done: Promise<void> }
  >();
  /** Slots in use: actions running, and slots held for jobs whose decision is committing. */
  private busySlots = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private claiming = false;
  /** A wake-up arrived while claiming: claim again, the new job may have come after the query. */
  private wokenWhileClaiming = false;
  /** The last claim pass stopped for want of a slot, so jobs may still be waiting. */
  private backlog = false;
  private workspaceRoot: Promise<string> | undefined;
  /** Jobs whose action has not started its process yet, with what to tell when it has. */
  private readonly preparing = new Map<string, () => void>();
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
    this.signals.handoff = this;
    this.timer = setInterval(this.wake, this.options.pollIntervalMs);
    this.wake();
  }

  /**
   * Stops claiming, aborts the actions still running and waits for them to report, and for
   * their reports to be recorded.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.signals.off('queued', this.wake);
    this.signals.off('abandoned', this.onAbandoned);
    if (this.signals.handoff === this) this.signals.handoff = undefined;
    // A job handed over by a decision that was committing meanwhile starts aborted; loop until
    // no job is left.
    while (this.running.size > 0) {
      for (const entry of this.running.values())
        entry.abort.abort(new Error('the Lockstep server is shutting down'));
      await Promise.allSettled([...this.running.values()].map((entry) => entry.done));
    }
    await this.jobs.settled();
  }

  /** Holds a slot for a job the engine is about to commit, if one is free (job-handoff.ts). */
  reserve(actionTypeKey: string, nowMs: number): JobReservation | undefined {
    if (this.stopped || !this.byKey.has(actionTypeKey)) return undefined;
    if (this.busySlots >= this.options.concurrency) return undefined;
    this.busySlots++;
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      return true;
    };
    let preparedNow = () => {};
    const prepared = new Promise<void>((resolve) => (preparedNow = resolve));
    return {
      workerId: this.options.workerId,
      leaseExpiresMs: nowMs + this.options.leaseMs,
      take: (job) => {
        if (settle()) this.launch(job, true, preparedNow);
      },
      release: () => {
        if (!settle()) return;
        this.freeSlot();
        preparedNow();
      },
      prepared: () => prepared,
    };
  }

  /** The job's action has started its process, or ended without one. */
  private donePreparing(jobId: string): void {
    this.preparing.get(jobId)?.();
    this.preparing.delete(jobId);
  }

  private async fill(): Promise<void> {
    if (this.stopped) return;
    if (this.claiming) {
      this.wokenWhileClaiming = true;
      return;
    }
    this.claiming = true;
    try {
      do {
        this.wokenWhileClaiming = false;
        this.backlog = false;
        while (!this.stopped) {
          if (this.busySlots >= this.options.concurrency) {
            this.backlog = true;
            break;
          }
          const nowMs = Date.now();
          const job = await this.store.executions.claimJob(
            [...this.byKey.keys()],
            this.options.workerId,
            nowMs + this.options.leaseMs,
            nowMs,
          );
          if (!job) break;
          this.launch(job, false);
        }
      } while (this.wokenWhileClaiming && !this.stopped);
    } catch (error) {
      this.logError('claiming a job failed', error);
    } finally {
      this.claiming = false;
    }
  }

  /**
   * Runs a claimed job; `reserved` when its slot was already counted by reserve(), and
   * `prepared` told once its action has started its process.
   */
  private launch(job: JobRecord, reserved: boolean, prepared: () => void = () => {}): void {
    if (!reserved) this.busySlots++;
    const abort = new AbortController();
    if (this.stopped) abort.abort(new Error('the Lockstep server is shutting down'));
    const slot = { held: true };
    this.preparing.set(job.id, prepared);
    const done = this.runJob(job, abort.signal, () => {
      if (slot.held) this.freeSlot();
      slot.held = false;
    })
      .catch((error: unknown) => this.logError(`job ${job.id} could not report its outcome`, error))
      .finally(() => {
        if (slot.held) this.freeSlot();
        slot.held = false;
        this.donePreparing(job.id);
        this.running.delete(job.id);
      });
    this.running.set(job.id, { actionExecutionId: job.actionExecutionId, abort, done });
  }

  /** A slot came free: claim what waits for one. */
  private freeSlot(): void {
    this.busySlots--;
    if (this.backlog) this.wake();
  }

  /**
   * Runs the provider and reports its outcome. The slot is given back (`actionEnded`) once the
   * action has ended, before the report: the report's decision may dispatch the next action,
   * which can then be handed a slot at once.
   */
  private async runJob(job: JobRecord, signal: AbortSignal, actionEnded: () => void) {
    const payload = JSON.parse(job.dataJson) as JobPayload;
    const provider = this.byKey.get(job.actionTypeKey);
    const { pipelineName } = payload.jobData.pipelineContext;
    const logDir = path.join(this.options.dataDir, 'logs', pipelineName, job.executionId);
    const lease = setInterval(() => void this.renewLease(job), this.options.leaseMs / 3);
    let workspaceDir: string | undefined;
    let removal: Promise<void> | undefined;
    try {
      // Independent: the workspace and the log's directory are made side by side.
      const [workspace, logs] = await Promise.allSettled([
        this.workspaceRootDir().then((root) => mkdtemp(path.join(root, 'job-'))),
        mkdir(logDir, { recursive: true, mode: 0o700 }),
      ]);
      if (workspace.status === 'rejected') throw workspace.reason;
      workspaceDir = workspace.value;
      if (logs.status === 'rejected') throw logs.reason;
      const secrets = this.options.secrets
        ? actionSecretResolver({ ...this.options.secrets, scope: this.options.scope }, payload)
        : undefined;
      const context = await this.contextFor(job, payload, workspaceDir, logDir, signal, secrets)
        // A secret that cannot be read fails the action, as a provider's own error does.
        .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
      let outcome: JobOutcome =
        context instanceof Error
          ? { status: 'Failed', errorCode: 'JobFailed', message: context.message }
          : await this.runProvider(provider, context, job);
      // Whatever the action reports is scrubbed of every secret value it was handed.
      outcome = redactOutcome(
        outcome,
        runRedactor(context instanceof Error ? { secrets } : context),
      );
      this.donePreparing(job.id);
      // Nothing reads the workspace once the provider has returned (outputs are stored): it is
      // removed while the outcome is recorded, not after, and awaited below.
      removal = rm(workspaceDir, { recursive: true, force: true });
      removal.catch(() => undefined);
      if (signal.aborted && outcome.status === 'Succeeded') {
        outcome = {
          status: 'Failed',
          errorCode: 'JobFailed',
          message: String((signal.reason as Error)?.message),
        };
      }
      actionEnded();
      await this.jobs.complete(job, ['InProgress'], outcome).catch((error: unknown) => {
        // An abandoned action's job has already ended, or went with its deleted pipeline;
        // its late outcome is not wanted.
        const code = (error as { code?: string }).code;
        if (code !== 'InvalidJobStateException' && code !== 'JobNotFoundException') throw error;
      });
    } finally {
      clearInterval(lease);
      if (workspaceDir !== undefined) {
        await (removal ?? rm(workspaceDir, { recursive: true, force: true }));
      }
    }
  }

  private async runProvider(
    provider: BuiltInProvider | undefined,
    context: ProviderContext,
    job: JobRecord,
  ): Promise<JobOutcome> {
    try {
      if (!provider) throw new Error(`no built-in provider runs ${job.actionTypeKey}`);
      return await provider.run(context);
    } catch (error) {
      return { status: 'Failed', errorCode: 'JobFailed', message: (error as Error).message };
    }
  }

  /** DIR/workspaces, made once per process (0700: workspaces hold the actions' inputs). */
  private workspaceRootDir(): Promise<string> {
    const root = path.join(this.options.dataDir, 'workspaces');
    this.workspaceRoot ??= mkdir(root, { recursive: true, mode: 0o700 }).then(
      () => root,
      (error: unknown) => {
        this.workspaceRoot = undefined;
        throw error;
      },
    );
    return this.workspaceRoot;
  }

  /**
   * The provider's context. Secret references in the configuration are resolved here, in the
   * copy handed to the provider only; a reference that cannot be resolved fails the action.
   */
  private async contextFor(
    job: JobRecord,
    stored: JobPayload,
    workspaceDir: string,
    logDir: string,
    signal: AbortSignal,
    secrets: SecretResolver | undefined,
  ): Promise<ProviderContext> {
    const { pipelineName } = stored.jobData.pipelineContext;
    const encryptionKeyId = stored.jobData.encryptionKey?.id;
    const payload = secrets ? await withResolvedConfiguration(stored, secrets) : stored;
    return {
      job,
      payload,
      ...(secrets ? { secrets, redactor: new Redactor(secrets.values) } : {}),
      ...(this.options.objects ? { objects: actionObjects(this.options.objects, payload) } : {}),
      workspaceDir,
      logFile: path.join(logDir, `${job.actionExecutionId}.log`),
      ...(this.options.logCipher ? { logCipher: this.options.logCipher } : {}),
      signal,
      artifacts: this.artifacts,
      connections: this.store.connections,
      codeBuildProjects: this.store.codeBuildProjects,
      outputKey: (artifactName) => ({
        pipelineName,
        executionId: job.executionId,
        artifactName,
        bucketName: stored.jobData.outputArtifacts[0]?.location.s3Location.bucketName,
        ...(encryptionKeyId ? { encryptionKeyId } : {}),
      }),
      remainingMs: () => Math.max(0, job.timeoutAtMs - Date.now()),
      processLaunched: () => this.donePreparing(job.id),
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
