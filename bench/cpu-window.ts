/**
 * What a measured window cost in CPU: the server's own time, its reaped children's (git,
 * bubblewrap, the actions' shells), its PostgreSQL backends' on this machine, and how busy the
 * whole machine was. On a two-core machine these say which of them was the limit.
 */
import os from 'node:os';
import {
  backendsCpuDeltaMs,
  backendsCpuMs,
  machineBusyPct,
  machineCpu,
  type DatabaseBackends,
} from './cpu-time.js';
import { kernelThreadsCpuMs, processTreeCpuMs, treeCpuDelta } from './process-tree-cpu.js';

export interface CpuUsage {
  elapsedMs: number;
  serverMs: number | null;
  childrenMs: number | null;
  /** Null for SQLite (inside the server) and for a PostgreSQL on another machine. */
  databaseMs: number | null;
  /** Kernel threads: mostly the teardown of the sandboxes' namespaces. */
  kernelMs: number | null;
  machineBusyPct: number | null;
  /**
   * Busy time of the machine that no process the benchmark can see was charged with, as a
   * percentage of the whole machine: other jobs on a shared machine, and kernel work no process
   * pays for. The sandboxed floors show about 28% here on an otherwise idle two-core VM, the
   * bare spawn 0%; well above the floor's value, a row is noisy.
   */
  unattributedPct: number | null;
}

/** Starts sampling; `end()` answers the usage since then. */
export function startCpuWindow(
  serverPid: number,
  database: DatabaseBackends | undefined,
): { end(): CpuUsage } {
  const started = performance.now();
  const tree = processTreeCpuMs(serverPid);
  const backends = database === undefined ? null : backendsCpuMs(database);
  const kernel = kernelThreadsCpuMs();
  const machine = machineCpu();
  const bench = process.cpuUsage();
  return {
    end() {
      const elapsedMs = performance.now() - started;
      const delta = treeCpuDelta(tree, processTreeCpuMs(serverPid));
      const databaseMs =
        database === undefined ? null : backendsCpuDeltaMs(backends, backendsCpuMs(database));
      const kernelEnd = kernelThreadsCpuMs();
      const kernelMs = kernel === null || kernelEnd === null ? null : kernelEnd - kernel;
      const busyPct = machineBusyPct(machine, machineCpu());
      const { user, system } = process.cpuUsage(bench);
      // When the floors are measured, this process is the "server": count it once.
      const benchMs = serverPid === process.pid ? 0 : (user + system) / 1000;
      const oursMs =
        delta === null
          ? null
          : delta.ownMs + delta.childrenMs + (databaseMs ?? 0) + (kernelMs ?? 0) + benchMs;
      const capacityMs = elapsedMs * os.availableParallelism();
      return {
        elapsedMs,
        serverMs: delta?.ownMs ?? null,
        childrenMs: delta?.childrenMs ?? null,
        databaseMs,
        kernelMs,
        machineBusyPct: busyPct,
        unattributedPct:
          busyPct === null || oursMs === null
            ? null
            : Math.max(0, busyPct - (100 * oursMs) / capacityMs),
      };
    },
  };
}
