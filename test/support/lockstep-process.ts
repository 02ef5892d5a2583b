/**
 * Starts a real `bin/lockstep serve` process on a free loopback port with a fresh data
 * directory, for tests that drive it over HTTP with real clients. The caller must stop() it;
 * a test that leaves a server running is a broken test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPipelineRoles, TEST_PIPELINE_ROLES } from './pipeline-role.js';
import { REPO_ROOT } from './repo-root.js';

export { REPO_ROOT };
export const LOCKSTEP_BIN = path.join(REPO_ROOT, 'bin', 'lockstep');

export interface LockstepProcess {
  url: string;
  port: number;
  dataDir: string;
  accountId: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Everything the server wrote to stderr so far. */
  log(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface StartOptions {
  dataDir?: string;
  databaseUrl?: string;
  accountId?: string;
  region?: string;
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** Service roles to create once it listens (pipeline-role.ts); TEST_PIPELINE_ROLES unless given. */
  pipelineRoles?: readonly string[];
}

/** Starts a server and resolves once it says it is listening. */
export async function startLockstep(options: StartOptions = {}): Promise<LockstepProcess> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'lockstep-test-')));
  const accountId = options.accountId ?? '123456789012';
  const region = options.region ?? 'us-east-1';
  const args = ['serve', '--data-dir', dataDir, '--port', '0', '--account-id', accountId];
  args.push('--region', region, ...(options.extraArgs ?? []));
  if (options.databaseUrl) args.push('--database-url', options.databaseUrl);
  const child = spawn(LOCKSTEP_BIN, args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.resume();
  const url = await waitForListening(child, () => stderr);
  const credentials = parseCredentials(await readFile(path.join(dataDir, 'credentials'), 'utf8'));
  try {
    const roles = options.pipelineRoles ?? TEST_PIPELINE_ROLES;
    await createPipelineRoles({ url, region, credentials }, roles);
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  return {
    url,
    port: Number(new URL(url).port),
    dataDir,
    accountId,
    region,
    credentials,
    log: () => stderr,
    stop: () => stopProcess(child),
  };
}

/**
 * Runs `lockstep serve` on `dataDir` with `args` and `env` added, for a start that must be
 * refused: resolves with its exit status and stderr once it exits (killed after 30 s). Not
 * spawnSync, so that a server in this process (an external service it calls) still answers.
 */
export async function serveUntilExit(
  dataDir: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(
    LOCKSTEP_BIN,
    ['serve', '--data-dir', dataDir, '--port', '0', '--account-id', '123456789012', ...args],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const status = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  return { status, stderr };
}

function waitForListening(child: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`lockstep did not start in 30 s:\n${stderr()}`));
    }, 30_000);
    const onData = () => {
      const match = /listening on (\S+)/.exec(stderr());
      if (match?.[1]) {
        clearTimeout(timer);
        child.stderr?.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`lockstep exited with ${code} before listening:\n${stderr()}`));
    });
  });
}

function stopProcess(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

/** Reads the [default] profile of an AWS shared-credentials file. */
export function parseCredentials(text: string): { accessKeyId: string; secretAccessKey: string } {
  const value = (key: string) => new RegExp(`^${key}\\s*=\\s*(\\S+)`, 'm').exec(text)?.[1];
  const accessKeyId = value('aws_access_key_id');
  const secretAccessKey = value('aws_secret_access_key');
  if (!accessKeyId || !secretAccessKey) throw new Error('credentials file has no default key');
  return { accessKeyId, secretAccessKey };
}
