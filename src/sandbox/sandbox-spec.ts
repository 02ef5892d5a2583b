/**
 * What the sandbox is asked to run and what it reports back. Only `src/sandbox/` spawns an
 * action's process (DESIGN.md section 2); providers describe the run with a `SandboxSpec`.
 */
import type { ActionLogCipher } from '../logs/sealed-log.js';
import type { Redactor } from '../secrets/redaction.js';

/** How a run was isolated: `bubblewrap` (namespaces, see docs) or `none` (plain process). */
export type SandboxIsolation = 'bubblewrap' | 'none';

/** One process to run for an action, confined to its workspace. */
export interface SandboxSpec {
  /** Host directory of the action's workspace; the only writable place, `/workspace` inside. */
  workspaceDir: string;
  /** The command and its arguments; argv[0] is looked up on `env.PATH`. */
  argv: string[];
  /** The complete environment of the process; nothing of the server's environment leaks in. */
  env: Record<string, string>;
  /** Working directory relative to the workspace (default: the workspace itself). */
  cwd?: string;
  /** stdout and stderr are appended here, line by line. */
  logFile: string;
  /** Seals the log at rest (logs/sealed-log.ts); absent, it is written in clear. */
  logCipher?: ActionLogCipher;
  /** Hides the run's secret values in the log; the well-known credential shapes always are. */
  redactor?: Redactor;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Time between SIGTERM and SIGKILL when the run is stopped (default 5000). */
  killGraceMs?: number;
  /** Called once the process has been started (or failed to start), before it is waited for. */
  onLaunched?: () => void;
}

/** How a sandboxed run ended. */
export interface SandboxResult {
  /** The exit code; under bubblewrap a command killed by signal N reports 128 + N. */
  exitCode: number | null;
  /** The signal that ended the process we spawned, when it did not exit by itself. */
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
  isolation: SandboxIsolation;
  /** Shown in the action's details when isolation was weaker than asked. */
  warning?: string;
}
