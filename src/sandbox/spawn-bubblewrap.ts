import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { BubblewrapCommandLine } from './bubblewrap-args.js';

/** The descriptor bwrap reads its arguments from (`--args 3`). */
const ARGS_FD = 3;

/**
 * Starts bwrap with its options passed over a file descriptor rather than the command line:
 * `--setenv` values (resolved secrets among them) would otherwise be readable by every local
 * user in `ps` and by the action itself in /proc/1/cmdline. (bwrap takes only options that way;
 * the command stays on the command line, and holds no secret.)
 */
export function spawnBubblewrap(
  bwrapPath: string,
  commandLine: BubblewrapCommandLine,
  options: { detached: boolean },
): ChildProcess {
  const argv = ['--args', `${ARGS_FD}`, '--', ...commandLine.command];
  const child = spawn(bwrapPath, argv, {
    // bwrap clears the environment itself; giving it none means nothing is there to leak.
    env: {},
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    detached: options.detached,
  });
  const argsStream = child.stdio[ARGS_FD] as Writable | null | undefined;
  if (argsStream) {
    // bwrap may fail before reading everything; its exit status reports that, not EPIPE.
    argsStream.on('error', () => undefined);
    argsStream.end(commandLine.options.map((arg) => `${arg}\0`).join(''));
  }
  return child;
}
