/**
 * The floors an action's wall time is compared with, measured in this process: a bare
 * `child_process.spawn('/bin/true')`, and Lockstep's own runSandboxed (bubblewrap when the host
 * allows it, exactly as the server's Commands provider calls it) running `/bin/true` and the
 * `bash --noprofile --norc` a Commands action really starts, with bwrap spawned from this
 * process. Whatever an action costs above the sandboxed floor is orchestration. One more row
 * runs `/bin/true` with bwrap started by a spawner process, as the server does: it shows what
 * the spawner itself adds or saves for a process of this size.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  bubblewrapStarter,
  directStarter,
  useBubblewrapStarter,
} from '../src/sandbox/bubblewrap-spawner.js';
import { runSandboxed } from '../src/sandbox/run-sandboxed.js';
import { addCleanup } from './cleanup.js';
import { startCpuWindow, type CpuUsage } from './cpu-window.js';

export interface FloorSample {
  name: string;
  /** How the process was isolated: `bubblewrap`, `none`, or `-` for the bare spawn. */
  isolation: string;
  /** Wall time of each spawn, spawn call to exit and closed pipes, in milliseconds. */
  wallMs: number[];
  /** This process (as "server") and its children, over the measured spawns. */
  cpu: CpuUsage;
}

// Spawns before measuring: the first runSandboxed call probes bubblewrap, and the first few
// spawns pay for page faults and JIT.
const WARMUP_SPAWNS = 10;

/** Measures the floors, `count` spawns each, one at a time. */
export async function measureSpawnFloors(count: number): Promise<FloorSample[]> {
  const bare = await timeEach(count, spawnTrue);
  const root = await mkdtemp(path.join(os.tmpdir(), 'lockstep-bench-floor-'));
  const removeRoot = addCleanup(() => rm(root, { recursive: true, force: true }));
  try {
    // As in the server: the log beside the workspace, not in it. One appended file is close
    // enough to the server's one file per action.
    const workspaceDir = path.join(root, 'workspace');
    await mkdir(workspaceDir, { mode: 0o700 });
    const logFile = path.join(root, 'action.log');
    let isolation = '-';
    const sandboxed = (argv: string[]) => async () => {
      const result = await runSandboxed({
        workspaceDir,
        argv,
        env: {},
        logFile,
        timeoutMs: 60_000,
      });
      if (result.exitCode !== 0) throw new Error(`${argv.join(' ')} exited ${result.exitCode}`);
      isolation = result.isolation;
    };
    const spawner = bubblewrapStarter();
    useBubblewrapStarter(directStarter);
    const sandboxedTrue = await timeEach(count, sandboxed(['/bin/true']));
    const sandboxedBash = await timeEach(
      count,
      sandboxed(['/bin/bash', '--noprofile', '--norc', '-c', 'true']),
    );
    const floors = [
      { name: 'spawn /bin/true', isolation: '-', ...bare },
      { name: 'runSandboxed /bin/true', isolation, ...sandboxedTrue },
      { name: 'runSandboxed bash -c true', isolation, ...sandboxedBash },
    ];
    if (spawner !== directStarter) {
      useBubblewrapStarter(spawner);
      const throughSpawner = await timeEach(count, sandboxed(['/bin/true']));
      floors.push({ name: 'runSandboxed /bin/true, spawner', isolation, ...throughSpawner });
    }
    return floors;
  } finally {
    await removeRoot();
  }
}

async function timeEach(count: number, once: () => Promise<void>) {
  for (let i = 0; i < WARMUP_SPAWNS; i++) await once();
  const wallMs: number[] = [];
  const window = startCpuWindow(process.pid, undefined);
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await once();
    wallMs.push(performance.now() - started);
  }
  return { wallMs, cpu: window.end() };
}

function spawnTrue(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/true');
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`/bin/true exited ${code}`)),
    );
  });
}
