/**
 * A built-in provider: the code that runs one kind of action inside the server's own worker
 * pool, through the same job path an external worker uses (DESIGN.md principle 3).
 */
import type { ArtifactKey, ArtifactStore } from '../artifacts/artifact-store.js';
import type { ActionCredentials } from '../jobs/action-credentials.js';
import type { JobOutcome, JobPayload } from '../jobs/job-data.js';
import type { Redactor } from '../secrets/redaction.js';
import type { SecretResolver } from '../secrets/secret-references.js';
import type { ActionObjects } from '../jobs/action-objects.js';
import type { ActionLogCipher } from '../logs/sealed-log.js';
import type { JobRecord } from '../store/execution-store.js';
import type { ConnectionStore } from '../store/connection-store.js';
import type { CodeBuildProjectStore } from '../store/codebuild-project-store.js';

export interface ProviderContext {
  job: JobRecord;
  payload: JobPayload;
  /** A fresh, empty directory that is this job's alone; removed after the job. */
  workspaceDir: string;
  /** The action's log, readable with `lockstep logs`. */
  logFile: string;
  /** Seals what is written to the log; absent (a context built by hand), it is written in clear. */
  logCipher?: ActionLogCipher;
  /**
   * Hides the run's resolved secret values in what the action writes to its log; without it the
   * log writer still scrubs the well-known credential shapes.
   */
  redactor?: Redactor;
  /**
   * Reads the secrets the action names (SECRETS_MANAGER variables, buildspec
   * `env.secrets-manager`) with its role's permission, and remembers every value it read so that
   * the run redacts them (run-redactor.ts); absent, naming a secret fails the action.
   */
  secrets?: SecretResolver;
  /** S3 objects the action reads or publishes itself, as its role (jobs/action-objects.ts). */
  objects?: ActionObjects;
  /** Aborted when the action is abandoned or its job is lost. */
  signal: AbortSignal;
  artifacts: ArtifactStore;
  connections: ConnectionStore;
  /** Registered CodeBuild projects; optional so that a context built by hand may leave it out. */
  codeBuildProjects?: CodeBuildProjectStore;
  /** Where an output artifact of this action is stored. */
  outputKey(artifactName: string): ArtifactKey;
  /** Milliseconds left before the action times out. */
  remainingMs(): number;
  /**
   * Tells the worker that the action's process has started, so that work it held back while
   * the action was being prepared (recording the decision that dispatched it) can run now.
   */
  processLaunched?(): void;
  /**
   * Issues the action's AWS session (its roleArn, else the pipeline role), for providers that
   * run the user's code; optional so that a context built by hand in a test may leave it out.
   */
  actionCredentials?(): Promise<ActionCredentials>;
}

export interface BuiltInProvider {
  /** Action type keys (`category/owner/provider/version`) this provider runs. */
  readonly actionTypeKeys: readonly string[];
  /** Runs the action; a thrown error fails it with the error's message. */
  run(context: ProviderContext): Promise<JobOutcome>;
}
