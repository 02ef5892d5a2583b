import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { signalProcessTree } from './signal-process-tree.js';

/**
 * How long a process's output may stay open once it has exited: a background process it left
 * may hold the pipes, and must not hold up the action.
 */
export const OUTPUT_DRAIN_MS = 2_000;

/** How a started process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why it ended, when neither the process nor its supervisor chose to (for the log). */
  note?: string;
}

/**
 * A started action process, whether this process spawned it or the spawner process did
 * (bubblewrap-spawner.ts): what superviseProcess needs to log it, wait for it and stop it.
 */
export interface SandboxProcess {
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves when the process has exited; its output may still be arriving. */
  readonly exited: Promise<ProcessExit>;
  /** signalProcessTree on the process: its group and/or every process below it. */
  signalTree(signal: NodeJS.Signals, options: { group: boolean; descendants: boolean }): void;
  /** Stops reading its output: the supervisor has what it waits for, or waited long enough. */
  release(): void;
}

/**
 * A child process this process spawned with piped stdout and stderr, once it has started; the
 * error if it could not start (ENOENT, EACCES).
 */
export function startedChild(child: ChildProcess): Promise<SandboxProcess | Error> {
  const { stdout, stderr } = child;
  if (stdout === null || stderr === null) throw new Error('the process needs piped output');
  // Listened to now: a process that fails at once must not exit unheard.
  const exited = new Promise<ProcessExit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const started = (pid: number): SandboxProcess => ({
    stdout,
    stderr,
    exited,
    signalTree: (signal, options) => signalProcessTree(pid, signal, options),
    release: () => {
      stdout.destroy();
      stderr.destroy();
    },
  });
  if (child.pid !== undefined) return Promise.resolve(started(child.pid));
  return new Promise((resolve) => child.once('error', resolve));
}
