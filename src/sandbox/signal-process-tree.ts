import { readdirSync, readFileSync } from 'node:fs';

/** Parent pid of each running process, from /proc (empty where there is no /proc). */
function parentPids(): Map<number, number> {
  const parents = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return parents;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may contain spaces and parentheses; fields resume after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  return parents;
}

/** Every process below `rootPid`, children first found, at the moment of the call. */
export function descendantPids(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, parent] of parentPids()) {
    children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const found: number[] = [];
  const queue = [rootPid];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function trySignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone (ESRCH), or not ours to signal: nothing more to do for this one.
  }
}

/**
 * Sends `signal` to the process group led by `rootPid` and/or to every process below it.
 * Descendants are found through /proc because a build may start its own process groups and
 * sessions, which a group signal alone would miss. Only look for descendants while `rootPid`
 * has not been reaped, or its number may already belong to someone else.
 */
export function signalProcessTree(
  rootPid: number,
  signal: NodeJS.Signals,
  options: { group: boolean; descendants: boolean },
): void {
  const descendants = options.descendants ? descendantPids(rootPid) : [];
  if (options.group) trySignal(-rootPid, signal);
  for (const pid of descendants) trySignal(pid, signal);
}
