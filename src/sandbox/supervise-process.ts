import type { LineLog } from './line-log.js';
import { OUTPUT_DRAIN_MS, type SandboxProcess } from './sandbox-process.js';

/** How the supervised process is stopped and logged. */
export interface SupervisionOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  killGraceMs: number;
  /**
   * Spare the spawned process itself from SIGTERM: when it is bwrap, SIGTERM kills it at once
   * and takes the sandbox down with SIGKILL, leaving the build no grace period.
   */
  spareRootOnTerm: boolean;
}

/** How a supervised process ended. */
export interface SupervisedExit {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
}

/** Whether `promise` settled within `ms`; the timer never outlives the race. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Waits for `child` to end, stopping it with every process below it on timeout or abort. An
 * Error is a process that could not start (ENOENT, EACCES): the log says so.
 */
export async function superviseProcess(
  child: SandboxProcess | Error,
  log: LineLog,
  options: SupervisionOptions,
): Promise<SupervisedExit> {
  if (child instanceof Error) {
    log.writeLine(`[Sandbox] Could not start the command: ${child.message}`);
    return { exitCode: 127, signal: null, timedOut: false, aborted: false };
  }
  const drained = Promise.all([child.stdout, child.stderr].map((stream) => log.attach(stream)));
  let stopping: 'timeout' | 'abort' | undefined;
  const stop = (reason: 'timeout' | 'abort') => {
    if (stopping !== undefined) return;
    stopping = reason;
    void terminate(child, options);
  };
  const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
  const onAbort = () => stop('abort');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const exit = await child.exited;
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  // Whatever the command left running in its process group ends with it. (Under bubblewrap
  // the kernel has already killed everything: the sandbox's pid namespace died with it.)
  child.signalTree('SIGKILL', { group: true, descendants: false });
  if (exit.note !== undefined) log.writeLine(`[Sandbox] ${exit.note}`);
  await settlesWithin(drained, OUTPUT_DRAIN_MS);
  child.release();
  return {
    exitCode: exit.code,
    signal: exit.signal,
    timedOut: stopping === 'timeout',
    aborted: stopping === 'abort',
  };
}

async function terminate(child: SandboxProcess, options: SupervisionOptions): Promise<void> {
  child.signalTree('SIGTERM', { group: !options.spareRootOnTerm, descendants: true });
  if (!(await settlesWithin(child.exited, options.killGraceMs))) {
    child.signalTree('SIGKILL', { group: true, descendants: true });
  }
}
