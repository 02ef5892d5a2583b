/**
 * Runs the real `git` CLI: an argument array (never a shell), a clean environment, a time
 * limit, and never a prompt. Everything a source action needs from git goes through here.
 */
import { execFile } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { GitSourceError } from './git-source-error.js';

export interface RunGitOptions {
  /** Milliseconds before git is killed; zero or less fails at once. */
  timeoutMs: number;
  cwd?: string;
  /** Commands and git's stderr are appended here, for the action's log. */
  logFile?: string;
}

/** A git command that exited non-zero or was killed; `stderr` is git's own explanation. */
export class GitCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly stderr: string,
    readonly timedOut: boolean,
  ) {
    super(`git ${args[0] ?? ''} failed: ${firstFatalLine(stderr) ?? 'no message'}`);
    this.name = 'GitCommandError';
  }
}

/** Runs `git ARGS` and resolves with its stdout; rejects with GitCommandError. */
export async function runGit(args: readonly string[], options: RunGitOptions): Promise<string> {
  if (options.timeoutMs <= 0) throw new GitSourceError('Fetching the source timed out.');
  const result = await new Promise<{ stdout: string; stderr: string; error: unknown }>(
    (resolve) => {
      execFile(
        'git',
        args,
        {
          cwd: options.cwd,
          env: gitEnv(),
          timeout: options.timeoutMs,
          // A hung ssh or https transfer ignores SIGTERM while it waits on the network.
          killSignal: 'SIGKILL',
          maxBuffer: 64 * 1024 * 1024,
        },
        (error, stdout, stderr) => resolve({ stdout, stderr, error }),
      );
    },
  );
  if (options.logFile !== undefined) {
    await appendFile(options.logFile, `$ git ${args.join(' ')}\n${result.stderr}`);
  }
  if (result.error === null) return result.stdout;
  const failure = result.error as { killed?: boolean; code?: unknown };
  if (failure.killed === true) {
    throw new GitSourceError('Fetching the source timed out.', { cause: result.error });
  }
  // Not git's refusal but a server without git: Lockstep's fault, not the pipeline's.
  if (failure.code === 'ENOENT') throw new Error("'git' was not found on the server's PATH.");
  throw new GitCommandError(args, result.stderr, false);
}

/** The most telling line of git's stderr: its first `fatal:` or `error:` line. */
export function firstFatalLine(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((line) => line.trim());
  return lines.find((line) => /^(fatal|error):/.test(line)) ?? lines.find((line) => line !== '');
}

/**
 * Only what git needs, so that nothing from the server's own environment (its AWS keys, a
 * GIT_DIR, an operator's git config with `url.insteadOf` or credential helpers) shapes a fetch.
 * HOME and SSH_AUTH_SOCK stay so that ssh endpoints can use the server's deploy key.
 */
function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    // git's other transports (ext::, fd::) run commands; a repository URL must never reach them.
    GIT_ALLOW_PROTOCOL: 'file:https:ssh',
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
  };
  if (process.env.HOME !== undefined) env.HOME = process.env.HOME;
  if (process.env.SSH_AUTH_SOCK !== undefined) env.SSH_AUTH_SOCK = process.env.SSH_AUTH_SOCK;
  return env;
}
