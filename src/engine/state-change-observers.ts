/**
 * The observers of committed state changes (the audit trail), told of each decision in commit
 * order, one decision at a time. A decision that handed jobs to this process's workers is told
 * once those jobs have started their processes, or after at most MAX_DEFER_MS: recording it is
 * not part of starting them, and on SQLite it would hold the one event loop they are prepared
 * on (its appends are synchronous writes).
 */
import type { StateChange } from './state-changes.js';

/** Told of every state change a committed decision made (the audit trail listens). */
export type StateChangeObserver = (changes: StateChange[]) => Promise<void>;

/** The longest a decision's changes wait for the jobs it started. */
const MAX_DEFER_MS = 20;

export class StateChangeObservers {
  private readonly observers: StateChangeObserver[] = [];
  private told: Promise<void> = Promise.resolve();

  /** Adds an observer; it must handle its own failures. */
  add(observer: StateChangeObserver): void {
    this.observers.push(observer);
  }

  /**
   * Tells every observer of `changes` after those of earlier decisions, and once `after` (if
   * given) has settled or MAX_DEFER_MS have passed; resolves when they have been told.
   */
  tell(changes: StateChange[], after?: Promise<unknown>): Promise<void> {
    const task = async () => {
      if (after) await settledOrLater(after, MAX_DEFER_MS);
      for (const observer of this.observers) await observer(changes);
    };
    // After the previous decision's, whether or not an observer failed on it.
    const telling = this.told.then(task, task);
    this.told = telling.catch(() => undefined);
    return telling;
  }

  /** Resolves once every decision told so far has reached every observer. */
  settled(): Promise<void> {
    return this.told;
  }
}

function settledOrLater(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    promise.then(done, done);
  });
}
