/**
 * Runs `bin/lockstep` as a user would, for tests of the command line itself: commands that
 * finish (refusals, client commands) and servers started from the environment alone, which
 * test/support/lockstep-process.ts cannot do because it always passes flags.
 */
import { spawn } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CodePipelineClient, type CodePipelineClientConfig } from '@aws-sdk/client-codepipeline';
import { LOCKSTEP_BIN } from '../../support/lockstep-process.js';

export interface CommandResult {
  /** Null when the process was killed (see timedOut). */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * The parent's environment without any AWS_* or LOCKSTEP_* variable, plus `extra`: a stray
 * AWS_PROFILE, region or LOCKSTEP_TLS_CERT on the developer's machine must not change what a
 * test sees, and the SDK must never reach for instance metadata or ~/.aws.
 */
export function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_') && !key.startsWith('LOCKSTEP_')) env[key] = value;
  }
  return {
    ...env,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

/**
 * Runs `bin/lockstep ARGS` to completion. A command that should have finished but is still
 * running after `timeoutMs` (a refusal that started a server after all) is killed, and the
 * result says so, so the test fails with the output instead of hanging.
 */
export function runLockstep(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  const child = spawn(LOCKSTEP_BIN, args, {
    env: options.env ?? isolatedEnv(),
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 20_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

export interface EnvServer {
  url: string;
  log(): string;
  stop(): Promise<number | null>;
}

/**
 * Starts `bin/lockstep serve` with no flags at all, configured only by `env`, in a scratch
 * working directory so that an ignored LOCKSTEP_DATA_DIR cannot litter the repository with
 * ./.lockstep. Resolves once it says where it listens.
 */
export async function startServeFromEnv(env: Record<string, string>): Promise<EnvServer> {
  const cwd = await mkdtemp(path.join(tmpdir(), 'lockstep-cwd-'));
  const child = spawn(LOCKSTEP_BIN, ['serve'], {
    env: isolatedEnv(env),
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = (): Promise<number | null> =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve(child.exitCode)
      : new Promise((resolve) => {
          child.once('exit', (code) => resolve(code));
          child.kill('SIGTERM');
        });
  const stop = async (): Promise<number | null> => {
    const code = await exited();
    await rm(cwd, { recursive: true, force: true });
    return code;
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`lockstep serve did not start in 30 s:\n${stderr}`));
    }, 30_000);
    child.stderr.on('data', () => {
      const match = /listening on (\S+)/.exec(stderr);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`lockstep serve exited with ${code} before listening:\n${stderr}`));
    });
  });
  return { url, log: () => stderr, stop };
}

/** A loopback port nothing listens on: one the OS just handed out and we released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Whether a TCP connection to 127.0.0.1:port is refused (nothing listens there). */
export function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') resolve(true);
      else reject(error);
    });
  });
}

/** A CodePipeline SDK client for a server, signing with the given key. */
export function sdkClient(
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  extra: Partial<CodePipelineClientConfig> = {},
): CodePipelineClient {
  return new CodePipelineClient({
    endpoint,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
    ...extra,
  });
}
