/**
 * The state each execution had after the last decision this process committed on it, so that
 * the next decision can start from it instead of reading and parsing the row again. It is only
 * a guess: the commit's compare-and-set on the state version refuses it when another replica
 * (or another process on the same file) decided in between, and the runner then reads the row.
 */
import type { ExecutionState } from './execution-state.js';
import { isFinished } from './execution-state.js';

/** An execution's state as committed, with what its row needs to be written again. */
export interface CommittedState {
  state: ExecutionState;
  stateVersion: number;
  declarationSha256: string | null;
}

/** Runs in flight in one process rarely exceed this; past it the oldest entry is dropped. */
const DEFAULT_CAPACITY = 1_000;

export class CommittedStates {
  private readonly entries = new Map<string, CommittedState>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /** The last committed state of an execution, if this process knows it. */
  get(executionId: string): CommittedState | undefined {
    return this.entries.get(executionId);
  }

  /** Remembers a committed state; a finished run cannot change again and is forgotten. */
  set(executionId: string, committed: CommittedState): void {
    this.entries.delete(executionId);
    if (isFinished(committed.state.status)) return;
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(executionId, committed);
  }

  /** Drops a guess the store refused. */
  forget(executionId: string): void {
    this.entries.delete(executionId);
  }
}
