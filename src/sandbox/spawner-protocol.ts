/**
 * The messages between the server and its spawner process (spawner-process.ts), over the IPC
 * channel of `child_process.fork` with `serialization: 'advanced'`, so output travels as bytes.
 * Each run is named by an id the server chose. A run costs two messages besides its output: the
 * request, and its end once its output has closed; every wake-up of the other process is time
 * on the action's path.
 */
import type { BubblewrapCommandLine } from './bubblewrap-args.js';

/** What the server asks of the spawner. */
export type SpawnerRequest =
  /** Start bwrap; its options go to bwrap over a pipe, never on a command line. */
  | { op: 'start'; id: number; bwrapPath: string; commandLine: BubblewrapCommandLine }
  /** Signal the run's process group and/or the processes below it (signal-process-tree.ts). */
  | {
      op: 'signal';
      id: number;
      signal: NodeJS.Signals;
      group: boolean;
      descendants: boolean;
    };

/** Which of the process's output streams a chunk came from. */
export type OutputStream = 'stdout' | 'stderr';

/** What the spawner tells the server. */
export type SpawnerEvent =
  /** Sent once, before any request is read. */
  | { op: 'ready' }
  | { op: 'output'; id: number; stream: OutputStream; chunk: Uint8Array }
  /**
   * The run is over: it exited, what was left in its process group was killed, and its output
   * has closed (or was cut OUTPUT_DRAIN_MS after the exit). Nothing more comes about it.
   */
  | { op: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null }
  /** bwrap could not be started (ENOENT, EACCES); nothing ran. */
  | { op: 'failed'; id: number; message: string };
