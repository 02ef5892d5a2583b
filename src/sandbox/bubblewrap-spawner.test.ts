import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { compileSpawnerModule } from '../../test/support/spawner-module.js';
import { bubblewrapArgs, SANDBOX_UID } from './bubblewrap-args.js';
import { BubblewrapSpawner, directStarter, useBubblewrapStarter } from './bubblewrap-spawner.js';
import { chownTree } from './chown-tree.js';
import { detectBubblewrap } from './detect-bubblewrap.js';
import { runSandboxed } from './run-sandboxed.js';
import type { SandboxSpec } from './sandbox-spec.js';

const bubblewrap = await detectBubblewrap();

const created: string[] = [];
const spawners: BubblewrapSpawner[] = [];
let modulePath = '';
let removeModule = () => Promise.resolve();

beforeAll(async () => {
  const compiled = await compileSpawnerModule();
  modulePath = compiled.path;
  removeModule = compiled.remove;
});

afterEach(() => {
  useBubblewrapStarter(directStarter);
  vi.restoreAllMocks();
});

afterAll(async () => {
  await Promise.all(spawners.map((spawner) => spawner.stop()));
  await removeModule();
  await Promise.all(created.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A spawner runSandboxed uses from now on, stopped after the tests. */
function useSpawner(module = modulePath, unansweredKillMs?: number): BubblewrapSpawner {
  const spawner = new BubblewrapSpawner(module, unansweredKillMs ? { unansweredKillMs } : {});
  spawners.push(spawner);
  useBubblewrapStarter(spawner);
  return spawner;
}

async function setup() {
  const workspaceDir = await mkdtemp(path.join(tmpdir(), 'lockstep-ws-'));
  const logDir = await mkdtemp(path.join(tmpdir(), 'lockstep-log-'));
  created.push(workspaceDir, logDir);
  const logFile = path.join(logDir, 'action.log');
  const run = (argv: string[], extra: Partial<SandboxSpec> = {}) =>
    runSandboxed({ workspaceDir, argv, env: {}, logFile, timeoutMs: 20_000, ...extra });
  return { workspaceDir, run, log: () => readFile(logFile, 'utf8') };
}

/** What the server wrote to its stderr while `body` ran. */
async function serverLog(body: () => Promise<void>): Promise<string> {
  let written = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written += chunk.toString();
    return true;
  });
  await body();
  vi.restoreAllMocks();
  return written;
}

function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined; // ended while we looked
  }
}

function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

describe.runIf(bubblewrap.available)('the sandbox spawner', () => {
  it('starts bwrap as its child, and holds none of the server’s environment', async () => {
    if (!bubblewrap.available) return;
    const spawner = useSpawner();
    const { workspaceDir } = await setup();
    // As runSandboxed prepares it: under setpriv the process enters it as uid 65534.
    if (bubblewrap.privilegeDrop.kind === 'setpriv') {
      await chownTree(workspaceDir, SANDBOX_UID, SANDBOX_UID);
    }
    const args = bubblewrapArgs({
      workspaceDir,
      cwd: '.',
      env: { PATH: '/usr/bin:/bin' },
      argv: ['sleep', '1'],
      privilegeDrop: bubblewrap.privilegeDrop,
    });
    const started = await spawner.start(bubblewrap.bwrapPath, args);
    if (started instanceof Error) throw started;
    const spawnerPid = spawner.pid;
    expect(spawnerPid).toBeDefined();
    const bwraps = () =>
      processesMentioning(bubblewrap.bwrapPath).filter((pid) => parentPid(pid) === spawnerPid);
    expect(await waitFor(() => bwraps().length === 1)).toBe(true);
    expect(parentPid(spawnerPid ?? 0)).toBe(process.pid);
    // Only what Node itself sets for the IPC channel.
    const environment = readFileSync(`/proc/${spawner.pid}/environ`, 'utf8').split('\0');
    const names = environment.filter(Boolean).map((entry) => entry.split('=')[0]);
    expect(names.sort()).toEqual(['NODE_CHANNEL_FD', 'NODE_CHANNEL_SERIALIZATION_MODE']);
    started.stdout.resume();
    started.stderr.resume();
    expect(await started.exited).toEqual({ code: 0, signal: null });
    started.release();
  });

  it('relays a large output whole, each stream in its own order', async () => {
    useSpawner();
    const { run, log } = await setup();
    const script = 'seq 1 100000; seq 100001 200000 >&2';
    expect((await run(['bash', '-c', script])).exitCode).toBe(0);
    const numbers = (await log()).trim().split('\n').map(Number);
    expect(numbers).toHaveLength(200_000);
    const out = numbers.filter((n) => n <= 100_000);
    const err = numbers.filter((n) => n > 100_000);
    expect(out).toEqual(Array.from({ length: 100_000 }, (_, i) => i + 1));
    expect(err).toEqual(Array.from({ length: 100_000 }, (_, i) => i + 100_001));
  });

  it('ends the runs of a spawner that dies, says why, and starts a new one', async () => {
    const spawner = useSpawner();
    const { run, log } = await setup();
    expect((await run(['true'])).exitCode).toBe(0);
    const first = spawner.pid;
    if (first === undefined) throw new Error('no spawner started');
    const marker = `lockstep-marker-${randomBytes(6).toString('hex')}`;
    let result: Awaited<ReturnType<typeof run>> | undefined;
    const written = await serverLog(async () => {
      const running = run(['bash', '-c', `exec -a ${marker} sleep 60`]);
      expect(await waitFor(() => processesMentioning(marker).length > 0)).toBe(true);
      process.kill(first, 'SIGKILL');
      result = await running;
    });
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: false });
    expect(await log()).toContain(
      '[Sandbox] The sandbox spawner process exited (signal SIGKILL); the command was killed with it.',
    );
    expect(written).toContain(
      `lockstep: the sandbox spawner process (pid ${first}) exited (signal SIGKILL); ` +
        '1 running action process(es) ended with it; a new one starts with the next action',
    );
    expect(await waitFor(() => processesMentioning(marker).length === 0, 3_000)).toBe(true);
    expect((await run(['true'])).exitCode).toBe(0);
    expect(spawner.pid).toBeDefined();
    expect(spawner.pid).not.toBe(first);
  });

  it('kills a spawner that stops answering, so that a timed-out run still ends', async () => {
    const spawner = useSpawner(modulePath, 500);
    const { run, log } = await setup();
    const marker = `lockstep-marker-${randomBytes(6).toString('hex')}`;
    const running = run(['bash', '-c', `exec -a ${marker} sleep 60`], {
      timeoutMs: 1_000,
      killGraceMs: 200,
    });
    expect(await waitFor(() => processesMentioning(marker).length > 0)).toBe(true);
    const stuck = spawner.pid;
    if (stuck === undefined) throw new Error('no spawner started');
    process.kill(stuck, 'SIGSTOP');
    let result: Awaited<typeof running> | undefined;
    const written = await serverLog(async () => {
      result = await running;
    });
    expect(result).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL' });
    expect(written).toContain(
      `the sandbox spawner process (pid ${stuck}) did not end a killed action process within 500 ms`,
    );
    expect(await log()).toContain('[Sandbox] The sandbox spawner process exited (signal SIGKILL)');
    expect(await waitFor(() => processesMentioning(marker).length === 0, 3_000)).toBe(true);
  });

  it('falls back to starting bwrap itself when the spawner cannot start, and says so', async () => {
    const missing = path.join(
      tmpdir(),
      `lockstep-no-such-spawner-${randomBytes(4).toString('hex')}.js`,
    );
    useSpawner(missing);
    const { run, workspaceDir } = await setup();
    let result: Awaited<ReturnType<typeof run>> | undefined;
    const written = await serverLog(async () => {
      result = await run(['bash', '-c', 'echo ran > here.txt']);
    });
    expect(result?.exitCode).toBe(0);
    expect(await readFile(path.join(workspaceDir, 'here.txt'), 'utf8')).toBe('ran\n');
    expect(written).toMatch(
      /the sandbox spawner process \(pid \d+\) exited \(code 1\); starting bubblewrap from the server process from now on/,
    );
    // Given up for good: later runs start bwrap here without trying again.
    expect((await run(['true'])).exitCode).toBe(0);
  });

  it('leaves no process behind once stopped', async () => {
    const spawner = useSpawner();
    const { run } = await setup();
    expect((await run(['true'])).exitCode).toBe(0);
    const pid = spawner.pid;
    await spawner.stop();
    expect(pid !== undefined && existsSync(`/proc/${pid}`)).toBe(false);
    expect(spawner.pid).toBeUndefined();
  });
});
