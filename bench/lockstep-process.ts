/**
 * Starts a real `bin/lockstep serve` on a free loopback port for the benchmark, and stops it
 * (also on failure or Ctrl-C, through cleanup.ts).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { addCleanup, stopChild } from './cleanup.js';
import type { Endpoint } from './signed-request.js';
import type { SigningCredentials } from './sigv4-signer.js';

export interface LockstepServer {
  endpoint: Endpoint;
  pid: number;
  credentials: SigningCredentials;
  /** Everything the server wrote to stderr so far. */
  log(): string;
  stop(): Promise<void>;
}

export interface LockstepStart {
  repoRoot: string;
  dataDir: string;
  accountId: string;
  region: string;
  /** PostgreSQL; absent means the embedded SQLite in dataDir. */
  databaseUrl?: string;
}

const START_TIMEOUT_MS = 30_000;

/** Spawns the server and resolves once it says where it listens. */
export async function startLockstep(start: LockstepStart): Promise<LockstepServer> {
  // The caller's LOCKSTEP_* variables must not leak in (a LOCKSTEP_DATABASE_URL in the shell
  // would silently turn the SQLite run into a PostgreSQL one). The database URL goes by
  // environment rather than argv so that its password does not show in `ps`.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('LOCKSTEP_')),
  );
  if (start.databaseUrl !== undefined) env.LOCKSTEP_DATABASE_URL = start.databaseUrl;
  const args = ['serve', '--data-dir', start.dataDir, '--port', '0'];
  args.push('--account-id', start.accountId, '--region', start.region);
  const child = spawn(path.join(start.repoRoot, 'bin', 'lockstep'), args, {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stop = addCleanup(() => stopChild(child));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    const url = await new Promise<URL>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('no "listening on" in 30 s')),
        START_TIMEOUT_MS,
      );
      child.stderr?.on('data', () => {
        const match = /listening on (\S+)/.exec(stderr);
        if (match?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(new URL(match[1]));
        }
      });
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`exited with ${code} before listening`)));
    });
    const credentials = parseCredentials(
      await readFile(path.join(start.dataDir, 'credentials'), 'utf8'),
    );
    return {
      endpoint: { hostname: url.hostname, port: Number(url.port) },
      pid: child.pid ?? 0,
      credentials,
      log: () => stderr,
      stop,
    };
  } catch (error) {
    await stop();
    throw new Error(`lockstep serve did not start: ${(error as Error).message}\n${stderr}`, {
      cause: error,
    });
  }
}

function parseCredentials(text: string): SigningCredentials {
  const value = (key: string) => new RegExp(`^${key}\\s*=\\s*(\\S+)`, 'm').exec(text)?.[1];
  const accessKeyId = value('aws_access_key_id');
  const secretAccessKey = value('aws_secret_access_key');
  if (!accessKeyId || !secretAccessKey) throw new Error('the credentials file has no key');
  return { accessKeyId, secretAccessKey };
}
