import path from 'node:path';
import { hostSystemMountArgs } from './host-system-mounts.js';

/** The unprivileged uid and gid an action runs as (`nobody` on Debian and Red Hat alike). */
export const SANDBOX_UID = 65534;

/** Where the workspace appears inside the sandbox. */
export const SANDBOX_WORKSPACE = '/workspace';

/**
 * How the process ends up unprivileged. `setpriv`: the server is root, bwrap runs privileged
 * and setpriv switches to the real uid 65534 with no capabilities. `user-namespace`: bwrap maps
 * uid 65534 in a new user namespace onto the server's own uid.
 */
export type PrivilegeDrop = { kind: 'setpriv'; setprivPath: string } | { kind: 'user-namespace' };

/** Everything that decides the bwrap command line of one run. */
export interface BubblewrapPlan {
  workspaceDir: string;
  /** Relative to the workspace, already checked not to leave it. */
  cwd: string;
  env: Record<string, string>;
  argv: string[];
  privilegeDrop: PrivilegeDrop;
}

function namespaceArgs(drop: PrivilegeDrop): string[] {
  if (drop.kind === 'user-namespace') {
    // The network stays shared: builds fetch dependencies. Everything else is private.
    return [
      '--unshare-all',
      '--share-net',
      '--unshare-user',
      '--uid',
      `${SANDBOX_UID}`,
      '--gid',
      `${SANDBOX_UID}`,
    ];
  }
  // As root, a user namespace would map uid 65534 inside onto root outside, which still owns
  // every root-owned file. So: no user namespace; the other namespaces as --unshare-all makes
  // them (network shared), and only the capabilities setpriv needs to drop to a real uid.
  return [
    ...['--unshare-ipc', '--unshare-pid', '--unshare-uts', '--unshare-cgroup-try'],
    ...['--cap-drop', 'ALL', '--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID'],
    ...['--cap-add', 'CAP_SETPCAP'],
  ];
}

function commandArgs(drop: PrivilegeDrop, cwd: string, argv: string[]): string[] {
  if (drop.kind === 'user-namespace') return argv;
  const id = `${SANDBOX_UID}`;
  return [
    drop.setprivPath,
    ...[`--reuid=${id}`, `--regid=${id}`, '--clear-groups'],
    // No capability survives, and no setuid binary can give one back.
    ...['--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--'],
    // bwrap's --chdir runs as root without CAP_DAC_OVERRIDE, which a 0700 workspace owned by
    // uid 65534 refuses; so the directory is entered after the switch, by env.
    ...['/usr/bin/env', `--chdir=${cwd}`, '--'],
    ...argv,
  ];
}

/** bwrap's options and the command after them, kept apart: only options may go by `--args`. */
export interface BubblewrapCommandLine {
  options: string[];
  command: string[];
}

/** The bwrap command line that runs `plan.argv` confined to its workspace. */
export function bubblewrapArgs(plan: BubblewrapPlan): BubblewrapCommandLine {
  const env = Object.entries(plan.env).flatMap(([key, value]) => ['--setenv', key, value]);
  const drop = plan.privilegeDrop;
  const cwd = path.posix.join(SANDBOX_WORKSPACE, plan.cwd);
  const options = [
    ...namespaceArgs(drop),
    '--die-with-parent',
    // A new session keeps the process from faking input on the server's terminal (TIOCSTI).
    '--new-session',
    ...hostSystemMountArgs(),
    ...['--proc', '/proc', '--dev', '/dev', '--perms', '1777', '--tmpfs', '/tmp'],
    ...['--bind', path.resolve(plan.workspaceDir), SANDBOX_WORKSPACE],
    ...(drop.kind === 'user-namespace' ? ['--chdir', cwd] : []),
    '--clearenv',
    ...env,
  ];
  return { options, command: commandArgs(drop, cwd, plan.argv) };
}
