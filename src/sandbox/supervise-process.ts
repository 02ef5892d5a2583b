import type { ChildProcess } from 'node:child_process';
import type { LineLog } from './line-log.js';
import { signalProcessTree } from './signal-process-tree.js';

/** How long to wait for stdout and stderr to close once the process has exited. */
const DRAIN_MS = 2_000;

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

/** The process started, or failed to start (ENOENT, EACCES). */
function started(child: ChildProcess): Promise<Error | undefined> {
  if (child.pid !== undefined) return Promise.resolve(undefined);
  return new Promise((resolve) => child.once('error', resolve));
}

/** Waits for `child` to end, stopping it with every process below it on timeout or abort. */
export async function superviseProcess(
  child: ChildProcess,
  log: LineLog,
  options: SupervisionOptions,
): Promise<SupervisedExit> {
  const spawnError = await started(child);
  const pid = child.pid;
  if (spawnError !== undefined || pid === undefined) {
    log.writeLine(`[Sandbox] Could not start the command: ${spawnError?.message ?? 'no pid'}`);
    return { exitCode: 127, signal: null, timedOut: false, aborted: false };
  }
  const streams = [child.stdout, child.stderr].filter((stream) => stream !== null);
  const drained = Promise.all(streams.map((stream) => log.attach(stream)));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (code, signal) => resolve([code, signal])),
  );
  let stopping: 'timeout' | 'abort' | undefined;
  const stop = (reason: 'timeout' | 'abort') => {
    if (stopping !== undefined) return;
    stopping = reason;
    void terminate(pid, exited, options);
  };
  const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
  const onAbort = () => stop('abort');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const [exitCode, signal] = await exited;
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  // Whatever the command left running in its process group ends with it. (Under bubblewrap
  // the kernel has already killed everything: the sandbox's pid namespace died with it.)
  signalProcessTree(pid, 'SIGKILL', { group: true, descendants: false });
  await settlesWithin(drained, DRAIN_MS);
  child.stdout?.destroy();
  child.stderr?.destroy();
  return { exitCode, signal, timedOut: stopping === 'timeout', aborted: stopping === 'abort' };
}

async function terminate(
  pid: number,
  exited: Promise<unknown>,
  options: SupervisionOptions,
): Promise<void> {
  signalProcessTree(pid, 'SIGTERM', { group: !options.spareRootOnTerm, descendants: true });
  if (!(await settlesWithin(exited, options.killGraceMs))) {
    signalProcessTree(pid, 'SIGKILL', { group: true, descendants: true });
  }
}
