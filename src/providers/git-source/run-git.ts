/**
 * Runs the real `git` CLI: an argument array (never a shell), a clean environment, a time
 * limit, and never a prompt. Everything a source action needs from git goes through here.
 */
import { spawn } from 'node:child_process';
import type { ActionLogCipher } from '../../logs/sealed-log.js';
import { appendToLog } from '../../sandbox/line-log.js';
import { transportEnv, type GitTransport } from './git-transport.js';
import { withSshAgent } from './ssh-agent.js';

const MAX_STDOUT_BYTES = 64 * 1024 * 1024;

export interface RunGitOptions {
  /** Milliseconds before git is killed; zero or less fails at once. */
  timeoutMs: number;
  cwd?: string;
  /** Commands and git's stderr are appended here, for the action's log. */
  logFile?: string;
  /** Seals the log at rest; absent, it is written in clear. */
  logCipher?: ActionLogCipher;
  /** The operator's settings for https and ssh hosts. */
  transport?: GitTransport;
  /** Kills git when the action is stopped or its job lost. */
  signal?: AbortSignal;
}

/** A git command that exited non-zero or was killed; `stderr` is git's own explanation. */
export class GitCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly stderr: string,
    readonly timedOut: boolean,
  ) {
    super(
      `git ${args[0] ?? ''} ${timedOut ? 'timed out' : `failed: ${firstFatalLine(stderr) ?? 'no message'}`}`,
    );
    this.name = 'GitCommandError';
  }
}

interface Finished {
  stdout: string;
  stderr: string;
  code: number | null;
  killed: 'timeout' | 'aborted' | 'overflow' | undefined;
  error?: NodeJS.ErrnoException;
}

/** Runs `git ARGS` and resolves with its stdout; rejects with GitCommandError. */
export async function runGit(args: readonly string[], options: RunGitOptions): Promise<string> {
  if (options.timeoutMs <= 0) throw new GitCommandError(args, '', true);
  const key = options.transport?.sshPrivateKey;
  const result =
    key === undefined || options.transport?.sshAgent !== undefined
      ? await run(args, options)
      : // A connection's own ssh key: an agent of this command's own holds it, then goes.
        await withSshAgent(key, (sshAgent) =>
          run(args, { ...options, transport: { ...options.transport, sshAgent } }),
        );
  if (options.logFile !== undefined) {
    await appendToLog(
      options.logFile,
      `$ git ${args.join(' ')}\n${result.stderr}`,
      undefined,
      options.logCipher,
    );
  }
  // Not git's refusal but a server without git: Lockstep's fault, not the pipeline's.
  if (result.error?.code === 'ENOENT') throw new Error("'git' was not found on the server's PATH.");
  if (result.error) throw result.error;
  if (result.killed === 'aborted') throw new Error('git was stopped with its action.');
  if (result.killed === 'overflow') throw new Error(`git ${args[0] ?? ''} printed too much.`);
  if (result.killed === 'timeout') throw new GitCommandError(args, result.stderr, true);
  if (result.code === 0) return result.stdout;
  throw new GitCommandError(args, result.stderr, false);
}

function run(args: readonly string[], options: RunGitOptions): Promise<Finished> {
  return new Promise((resolve) => {
    // Its own process group: git leaves the network to helpers (git-remote-https, ssh) that
    // outlive a killed git, holding a connection and the worker's pipes, unless killed with it.
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: gitEnv(options.transport),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stdoutBytes = 0;
    let killed: Finished['killed'];
    const kill = (why: NonNullable<Finished['killed']>) => {
      killed ??= why;
      try {
        // SIGKILL: a hung ssh or https transfer ignores SIGTERM while it waits on the network.
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // No group: gone already, or git has not made it yet (and so has no helpers either).
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => kill('timeout'), options.timeoutMs);
    const onAbort = () => kill('aborted');
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > MAX_STDOUT_BYTES) kill('overflow');
      else stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const finish = (code: number | null, error?: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        code,
        killed,
        ...(error ? { error } : {}),
      });
    };
    child.once('error', (error) => finish(null, error));
    child.once('close', (code) => finish(code));
  });
}

/** The most telling line of git's stderr: its first `fatal:` or `error:` line. */
export function firstFatalLine(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((line) => line.trim());
  return lines.find((line) => /^(fatal|error):/.test(line)) ?? lines.find((line) => line !== '');
}

/**
 * Only what git needs, so that nothing from the server's own environment (its AWS keys, a
 * GIT_DIR, an operator's git config with `url.insteadOf`, `http.sslVerify=false` or credential
 * helpers) shapes a fetch; the operator's git settings come in as serve options instead.
 * HOME and SSH_AUTH_SOCK stay so that ssh endpoints can use the server's own ssh setup.
 */
function gitEnv(transport: GitTransport = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    // git's other transports (ext::, fd::) run commands; a repository URL must never reach them.
    GIT_ALLOW_PROTOCOL: 'file:https:ssh',
    ...transportEnv(transport),
  };
  if (process.env.HOME !== undefined) env.HOME = process.env.HOME;
  if (process.env.SSH_AUTH_SOCK !== undefined) env.SSH_AUTH_SOCK = process.env.SSH_AUTH_SOCK;
  return env;
}
