import { constants } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bubblewrapArgs, SANDBOX_UID } from './bubblewrap-args.js';
import type { PrivilegeDrop } from './bubblewrap-args.js';
import { chownTree } from './chown-tree.js';
import { spawnBubblewrap } from './spawn-bubblewrap.js';

/** Whether bubblewrap can confine actions here, and how. */
export type BubblewrapSupport =
  | { available: true; bwrapPath: string; privilegeDrop: PrivilegeDrop; warning?: string }
  | { available: false; reason: string };

const PROBE_TIMEOUT_MS = 10_000;

let cached: Promise<BubblewrapSupport> | undefined;

async function findExecutable(name: string, dirs: string[]): Promise<string | undefined> {
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Runs `true` in a throw-away sandbox: bwrap may be installed where namespaces are refused. */
async function probe(bwrapPath: string, privilegeDrop: PrivilegeDrop): Promise<string | undefined> {
  const workspaceDir = await mkdtemp(path.join(tmpdir(), 'lockstep-sandbox-probe-'));
  try {
    if (privilegeDrop.kind === 'setpriv') await chownTree(workspaceDir, SANDBOX_UID, SANDBOX_UID);
    const env = { PATH: '/usr/bin:/bin' };
    const args = bubblewrapArgs({ workspaceDir, cwd: '.', env, argv: ['true'], privilegeDrop });
    const child = spawnBubblewrap(bwrapPath, args, { detached: false });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), PROBE_TIMEOUT_MS);
    const code = await new Promise<number | null>((resolve) => {
      child.once('error', () => resolve(null));
      child.once('close', (exitCode) => resolve(exitCode));
    });
    clearTimeout(timer);
    return code === 0 ? undefined : stderr.trim().split('\n')[0] || `bwrap exited with ${code}`;
  } finally {
    await rm(workspaceDir, { recursive: true, force: true });
  }
}

async function detect(): Promise<BubblewrapSupport> {
  const searchPath = (process.env.PATH ?? '').split(':').filter(Boolean);
  const bwrapPath = await findExecutable('bwrap', [...searchPath, '/usr/bin', '/bin']);
  if (bwrapPath === undefined) return { available: false, reason: 'bubblewrap is not installed' };
  let privilegeDrop: PrivilegeDrop = { kind: 'user-namespace' };
  let warning: string | undefined;
  if (process.getuid?.() === 0) {
    // setpriv must be visible inside the sandbox, so only the system directories count.
    const setprivPath = await findExecutable('setpriv', ['/usr/bin', '/bin']);
    if (setprivPath !== undefined) privilegeDrop = { kind: 'setpriv', setprivPath };
    else
      warning =
        'the server runs as root and setpriv (util-linux) is missing, so the action ran as root ' +
        'mapped to uid 65534: it could read root-only files under /usr and /etc';
  }
  const failure = await probe(bwrapPath, privilegeDrop);
  if (failure !== undefined) {
    return { available: false, reason: `bubblewrap is installed but cannot run here (${failure})` };
  }
  return { available: true, bwrapPath, privilegeDrop, ...(warning ? { warning } : {}) };
}

/** Whether bubblewrap can sandbox actions on this host; found and probed once per process. */
export function detectBubblewrap(): Promise<BubblewrapSupport> {
  cached ??= detect();
  return cached;
}
