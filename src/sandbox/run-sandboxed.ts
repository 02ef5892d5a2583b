import { spawn } from 'node:child_process';
import path from 'node:path';
import { bubblewrapArgs, SANDBOX_UID } from './bubblewrap-args.js';
import { bubblewrapStarter } from './bubblewrap-spawner.js';
import { chownTree } from './chown-tree.js';
import { detectBubblewrap } from './detect-bubblewrap.js';
import { LineLog } from './line-log.js';
import { startedChild, type SandboxProcess } from './sandbox-process.js';
import type { SandboxIsolation, SandboxResult, SandboxSpec } from './sandbox-spec.js';
import { sandboxTurnedOff } from './sandbox-workspace-path.js';
import { superviseProcess } from './supervise-process.js';

const DEFAULT_KILL_GRACE_MS = 5_000;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const UNISOLATED =
  'this action ran without isolation: it could read and write everything the Lockstep server ' +
  'can, including its data directory, its keys and other pipelines’ workspaces';

/** How one run will be started, decided before anything is spawned. */
interface Launch {
  isolation: SandboxIsolation;
  warning?: string;
  /** Work to do before starting, such as handing the workspace to the sandbox user. */
  prepare: () => Promise<void>;
  /** Resolves once the process runs, or with the error that kept it from starting. */
  start: () => Promise<SandboxProcess | Error>;
  spareRootOnTerm: boolean;
}

/** The working directory relative to the workspace, refused if it would leave it. */
function relativeCwd(cwd: string | undefined): string {
  const normalized = path.posix.normalize(cwd ?? '.');
  if (path.posix.isAbsolute(normalized) || normalized === '..' || normalized.startsWith('../')) {
    throw new Error(`The working directory '${cwd}' is not inside the workspace`);
  }
  return normalized;
}

function unsandboxedLaunch(spec: SandboxSpec, cwd: string, reason: string): Launch {
  const env = { PATH: DEFAULT_PATH, HOME: path.resolve(spec.workspaceDir), ...spec.env };
  const [command = '', ...args] = spec.argv;
  return {
    isolation: 'none',
    warning: `${reason}; ${UNISOLATED}. Install bubblewrap to confine actions to their workspace.`,
    prepare: () => Promise.resolve(),
    // A process group of its own, so a timeout can stop the command and what it started.
    start: () =>
      startedChild(
        spawn(command, args, {
          cwd: path.join(spec.workspaceDir, cwd),
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        }),
      ),
    spareRootOnTerm: false,
  };
}

async function planLaunch(spec: SandboxSpec, cwd: string): Promise<Launch> {
  if (sandboxTurnedOff()) {
    return unsandboxedLaunch(spec, cwd, 'LOCKSTEP_SANDBOX=none turns bubblewrap off');
  }
  const support = await detectBubblewrap();
  if (!support.available) return unsandboxedLaunch(spec, cwd, support.reason);
  const { bwrapPath, privilegeDrop } = support;
  // HOME is the private /tmp, so tools' caches and config never land in the workspace.
  const env = { PATH: DEFAULT_PATH, HOME: '/tmp', ...spec.env };
  const args = bubblewrapArgs({
    workspaceDir: spec.workspaceDir,
    cwd,
    env,
    argv: spec.argv,
    privilegeDrop,
  });
  return {
    isolation: 'bubblewrap',
    ...(support.warning ? { warning: support.warning } : {}),
    // Under setpriv the process really is uid 65534 and must own the workspace to write it.
    prepare: () =>
      privilegeDrop.kind === 'setpriv'
        ? chownTree(spec.workspaceDir, SANDBOX_UID, SANDBOX_UID)
        : Promise.resolve(),
    start: () => bubblewrapStarter().start(bwrapPath, args),
    spareRootOnTerm: true,
  };
}

/**
 * Runs `spec.argv` confined to its workspace: under bubblewrap when the host allows it, else as
 * a plain process with a warning. Resolves when the process and its log output have ended.
 */
export async function runSandboxed(spec: SandboxSpec): Promise<SandboxResult> {
  if (spec.argv.length === 0) throw new Error('runSandboxed needs a command to run');
  const launch = await planLaunch(spec, relativeCwd(spec.cwd));
  const reported = {
    isolation: launch.isolation,
    ...(launch.warning !== undefined ? { warning: launch.warning } : {}),
  };
  if (spec.signal?.aborted) {
    return { exitCode: null, signal: null, timedOut: false, aborted: true, ...reported };
  }
  const log = await prepareBesideLog(launch, spec);
  try {
    const child = await launch.start();
    spec.onLaunched?.();
    const exit = await superviseProcess(child, log, {
      timeoutMs: spec.timeoutMs,
      ...(spec.signal ? { signal: spec.signal } : {}),
      killGraceMs: spec.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
      spareRootOnTerm: launch.spareRootOnTerm,
    });
    return { ...exit, ...reported };
  } finally {
    await log.close();
  }
}

/**
 * Prepares the launch and opens the log side by side: both are a few awaited fs calls on the
 * action's path to its first instruction, and neither needs the other. A failed preparation
 * closes the log it opened.
 */
async function prepareBesideLog(launch: Launch, spec: SandboxSpec): Promise<LineLog> {
  const [prepared, opened] = await Promise.allSettled([
    launch.prepare(),
    LineLog.open(spec.logFile, spec.redactor, spec.logCipher),
  ]);
  if (opened.status === 'rejected') throw opened.reason;
  if (prepared.status === 'rejected') {
    await opened.value.close();
    throw prepared.reason;
  }
  return opened.value;
}
