/**
 * CPU time of a server together with the processes it started (git, the sandbox spawner, bwrap,
 * the actions' shells), from Linux's /proc. An action's cost is mostly in such children, which a
 * process's own utime and stime leave out. Elsewhere these answer null.
 */
import { readFileSync } from 'node:fs';
import { descendantPids } from '../src/sandbox/signal-process-tree.js';

// USER_HZ: 100 on every mainstream Linux build; /proc reports CPU time in these ticks.
const TICKS_PER_SECOND = 100;

export interface TreeCpuMs {
  /** The process's own user plus system time. */
  ownMs: number;
  /** User plus system time of the processes below it: reaped ones, and those still running. */
  childrenMs: number;
}

/**
 * Own and reaped children's CPU milliseconds of `pid`, with the same of every live process
 * below it counted as children: the sandbox spawner lives as long as the server, and the
 * sandboxes it starts are its children, not the server's. Null if unreadable.
 */
export function processTreeCpuMs(pid: number): TreeCpuMs | null {
  const root = ownAndReapedCpuMs(pid);
  if (root === null) return null;
  let childrenMs = root.childrenMs;
  for (const below of descendantPids(pid)) {
    const cpu = ownAndReapedCpuMs(below);
    if (cpu !== null) childrenMs += cpu.ownMs + cpu.childrenMs;
  }
  return { ownMs: root.ownMs, childrenMs };
}

function ownAndReapedCpuMs(pid: number): TreeCpuMs | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; count after its end.
    const fields = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    const [utime, stime, cutime, cstime] = [fields[11], fields[12], fields[13], fields[14]];
    if (![utime, stime, cutime, cstime].every((n) => Number.isFinite(n))) return null;
    const ms = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;
    return {
      ownMs: ms((utime ?? 0) + (stime ?? 0)),
      childrenMs: ms((cutime ?? 0) + (cstime ?? 0)),
    };
  } catch {
    return null;
  }
}

/** The difference between two samples, or null when either is missing. */
export function treeCpuDelta(before: TreeCpuMs | null, after: TreeCpuMs | null): TreeCpuMs | null {
  if (before === null || after === null) return null;
  return { ownMs: after.ownMs - before.ownMs, childrenMs: after.childrenMs - before.childrenMs };
}

// kthreadd: the parent of every kernel thread on Linux.
const KTHREADD_PID = 2;

/**
 * CPU milliseconds of all kernel threads (kworkers and the like), or null if unreadable. Much
 * of a sandbox's cost lands here: namespaces are torn down by kernel workers after the
 * sandboxed process has exited, and no process of ours is charged for it.
 */
export function kernelThreadsCpuMs(): number | null {
  let children: string;
  try {
    children = readFileSync(`/proc/${KTHREADD_PID}/task/${KTHREADD_PID}/children`, 'utf8');
  } catch {
    return null;
  }
  let total = 0;
  for (const pid of children.trim().split(/\s+/).filter(Boolean)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      if (Number.isFinite(ticks)) total += (ticks * 1000) / TICKS_PER_SECOND;
    } catch {
      // exited since the listing
    }
  }
  return total;
}
