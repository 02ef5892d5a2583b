/**
 * `lockstep serve` with a chosen LOCKSTEP_WORKERS, started through lockstep-process.ts.
 * startLockstep drops every LOCKSTEP_* variable of the caller on purpose (a stray
 * LOCKSTEP_DATABASE_URL must not turn a SQLite run into a PostgreSQL one) and takes no extra
 * environment, so the one variable wanted here goes through a two-line shell script that sets
 * it and `exec`s the real bin/lockstep: the pid startLockstep samples and stops stays the
 * server's own. With BENCH_SERVER_CPU_PROF_DIR set, the script runs the server under
 * `node --cpu-prof` instead, writing one .cpuprofile there when the server stops.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { addCleanup } from './cleanup.js';
import { startLockstep, type LockstepServer, type LockstepStart } from './lockstep-process.js';

/** Starts the server of `start.repoRoot` with LOCKSTEP_WORKERS set to `workers`. */
export async function startLockstepWithWorkers(
  start: LockstepStart,
  workers: number,
): Promise<LockstepServer> {
  const shimRoot = await mkdtemp(path.join(os.tmpdir(), 'lockstep-bench-shim-'));
  const removeShim = addCleanup(() => rm(shimRoot, { recursive: true, force: true }));
  try {
    await mkdir(path.join(shimRoot, 'bin'));
    const real = path.join(start.repoRoot, 'bin', 'lockstep');
    const script = `#!/bin/sh\nLOCKSTEP_WORKERS=${workers} exec ${profiler()}${quote(real)} "$@"\n`;
    await writeFile(path.join(shimRoot, 'bin', 'lockstep'), script, { mode: 0o755 });
    return await startLockstep({ ...start, repoRoot: shimRoot });
  } finally {
    // The server has exec'd (or failed) by now; the script is not needed any more.
    await removeShim();
  }
}

/** `node --cpu-prof ...` when BENCH_SERVER_CPU_PROF_DIR asks for a profile of the server. */
function profiler(): string {
  const dir = process.env.BENCH_SERVER_CPU_PROF_DIR;
  if (dir === undefined || dir === '') return '';
  return `${quote(process.execPath)} --cpu-prof --cpu-prof-dir=${quote(path.resolve(dir))} `;
}

function quote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
