/**
 * Everything the benchmark starts (servers, the load client, a PostgreSQL database, temp
 * directories) registers how to undo it here, so that a failure or Ctrl-C leaves nothing
 * running and nothing behind.
 */
import type { ChildProcess } from 'node:child_process';

type CleanupAction = () => Promise<void> | void;

const actions: CleanupAction[] = [];
// Undo actions started through their own stop function and not finished yet.
const inFlight = new Set<Promise<void>>();
let draining = Promise.resolve();
let interrupted = false;
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
const STOP_GRACE_MS = 5_000;

/** Registers an undo action; the returned function runs it now and unregisters it. */
export function addCleanup(action: CleanupAction): () => Promise<void> {
  actions.push(action);
  return () => {
    const index = actions.indexOf(action);
    if (index < 0) return Promise.resolve();
    actions.splice(index, 1);
    const done: Promise<void> = Promise.resolve()
      .then(action)
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
    return done;
  };
}

/**
 * Runs every registered action, newest first (one failing does not stop the others), and
 * waits for those already running. Calls are chained, so that a Ctrl-C arriving while the
 * normal clean-up runs does not exit before it is done.
 */
export function cleanUpAll(): Promise<void> {
  draining = draining.then(drain);
  return draining;
}

async function drain(): Promise<void> {
  while (actions.length > 0) {
    const action = actions.pop();
    try {
      await action?.();
    } catch (error) {
      process.stderr.write(`bench: clean-up step failed: ${String(error)}\n`);
    }
  }
  await Promise.allSettled([...inFlight]);
}

/** On Ctrl-C and kill signals, cleans up and exits with the conventional code. */
export function cleanUpOnSignals(): void {
  for (const [signal, code] of Object.entries(SIGNAL_EXIT_CODES)) {
    process.once(signal, () => {
      interrupted = true;
      process.stderr.write(`\nbench: ${signal} received; stopping everything it started\n`);
      void cleanUpAll().finally(() => process.exit(code));
    });
  }
}

/**
 * Whether a signal arrived. Failures after it are its echo (Ctrl-C reaches the children too,
 * so the load client dies mid-run) and not worth reporting.
 */
export function wasInterrupted(): boolean {
  return interrupted;
}

/** SIGTERM, then SIGKILL if the process has not exited after a grace period. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
