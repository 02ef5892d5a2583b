/**
 * CPU time from Linux's /proc, to show where the cores went during a measured window: on a
 * small machine the client, the server and PostgreSQL share them, and a req/s figure means
 * little without knowing which of them was saturated. Elsewhere these answer null.
 */
import { readFileSync } from 'node:fs';

// USER_HZ: 100 on every mainstream Linux build; /proc reports CPU time in these ticks.
const TICKS_PER_SECOND = 100;

/** User plus system CPU time of a process, in milliseconds, or null if unreadable. */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; count after its end.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : null;
  } catch {
    return null;
  }
}

/** The parent of a process and its command line (NULs as spaces), or null if unreadable. */
export function processInfo(pid: number): { parentPid: number; cmdline: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const parentPid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    return Number.isInteger(parentPid) ? { parentPid, cmdline } : null;
  } catch {
    return null;
  }
}

export interface MachineCpu {
  busyTicks: number;
  totalTicks: number;
}

/** Cumulative busy and total ticks of all cores, or null if unreadable. */
export function machineCpu(): MachineCpu | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal; guest time is already inside user.
    const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return Number.isFinite(total) && total > 0
      ? { busyTicks: total - idle, totalTicks: total }
      : null;
  } catch {
    return null;
  }
}

/** Busy percentage of the whole machine between two samples. */
export function machineBusyPct(before: MachineCpu | null, after: MachineCpu | null): number | null {
  if (before === null || after === null) return null;
  const total = after.totalTicks - before.totalTicks;
  return total > 0 ? (100 * (after.busyTicks - before.busyTicks)) / total : null;
}

/** Which PostgreSQL server processes serve the benchmark's database on this machine. */
export interface DatabaseBackends {
  postmasterPid: number;
  /** A string in the process title of every backend of the database: its name. */
  title: string;
}

/** CPU milliseconds of each matching backend, by pid; null if /proc is unreadable. */
export function backendsCpuMs(backends: DatabaseBackends): Map<number, number> | null {
  const { postmasterPid: pid, title } = backends;
  let children: string;
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
  } catch {
    return null;
  }
  const result = new Map<number, number>();
  for (const child of children.trim().split(/\s+/).filter(Boolean).map(Number)) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${child}/cmdline`, 'utf8');
    } catch {
      continue; // exited since the listing
    }
    const cpuMs = cmdline.includes(title) ? processCpuMs(child) : null;
    if (cpuMs !== null) result.set(child, cpuMs);
  }
  return result;
}

/**
 * CPU milliseconds the backends spent between two samples. A backend the pool opened in
 * between counts in full (it did nothing before); one that closed in between is lost, which
 * the pool's idle timeout makes rare within a measured window.
 */
export function backendsCpuDeltaMs(
  before: Map<number, number> | null,
  after: Map<number, number> | null,
): number | null {
  if (before === null || after === null) return null;
  let total = 0;
  for (const [pid, cpuMs] of after) total += cpuMs - (before.get(pid) ?? 0);
  return total;
}
