import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compileSpawnerModule } from '../../test/support/spawner-module.js';
import { BubblewrapSpawner, directStarter, useBubblewrapStarter } from './bubblewrap-spawner.js';
import { detectBubblewrap } from './detect-bubblewrap.js';
import { runSandboxed } from './run-sandboxed.js';
import { sandboxWorkspacePath } from './sandbox-workspace-path.js';
import type { SandboxSpec } from './sandbox-spec.js';

const bubblewrap = await detectBubblewrap();
const runningAsRoot = process.getuid?.() === 0;

const created: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `lockstep-${prefix}-`));
  created.push(dir);
  return dir;
}

// The server forks the compiled spawner beside its own module, which only dist/ has.
let spawner: BubblewrapSpawner | undefined;
let removeSpawnerModule = () => Promise.resolve();
beforeAll(async () => {
  const compiled = await compileSpawnerModule();
  spawner = new BubblewrapSpawner(compiled.path);
  removeSpawnerModule = compiled.remove;
});

afterAll(async () => {
  await spawner?.stop();
  await removeSpawnerModule();
  await Promise.all(created.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Starts bwrap from this process, or through the spawner process as the server does. */
function startBubblewrapWith(starter: 'direct' | 'spawner'): void {
  useBubblewrapStarter(starter === 'spawner' && spawner ? spawner : directStarter);
}

/** A workspace and a log file beside it (never inside, where the action could rewrite it). */
async function setup() {
  const workspaceDir = await tempDir('ws');
  const logFile = path.join(await tempDir('log'), 'action.log');
  const run = (argv: string[], extra: Partial<SandboxSpec> = {}) =>
    runSandboxed({ workspaceDir, argv, env: {}, logFile, timeoutMs: 20_000, ...extra });
  const log = () => readFile(logFile, 'utf8');
  return { workspaceDir, logFile, run, log };
}

/** Live processes whose command line contains `text`, seen from the host. */
function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) found.push(Number(entry));
    } catch {
      // ended while we looked
    }
  }
  return found;
}

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

/**
 * A shell that starts a marked grandchild in a session of its own (out of reach of a signal to
 * the process group), then waits in the foreground.
 */
function treeWithMarkedGrandchild(marker: string): string[] {
  const grandchild = `setsid bash -c 'exec -a ${marker} sleep 100'`;
  return ['bash', '-c', `${grandchild} & sleep 100; echo survived`];
}

const modes = [
  { name: 'bubblewrap', starter: 'direct', forceNone: false, enabled: bubblewrap.available },
  { name: 'bubblewrap', starter: 'spawner', forceNone: false, enabled: bubblewrap.available },
  { name: 'none', starter: 'direct', forceNone: true, enabled: true },
] as const;

afterEach(() => {
  delete process.env.LOCKSTEP_SANDBOX;
  delete process.env.LOCKSTEP_TEST_SERVER_SECRET;
  useBubblewrapStarter(directStarter);
});

describe.each(modes)('runSandboxed with isolation $name, $starter', (mode) => {
  const { name, forceNone, enabled } = mode;
  const use = () => {
    if (forceNone) process.env.LOCKSTEP_SANDBOX = 'none';
    startBubblewrapWith(mode.starter);
  };

  it.runIf(enabled)('shows the process exactly the environment it was given', async () => {
    use();
    process.env.LOCKSTEP_TEST_SERVER_SECRET = 'server-only-value';
    const { run, log } = await setup();
    const result = await run(['env'], { env: { GREETING: 'hello world' } });
    expect(result).toMatchObject({ exitCode: 0, isolation: name });
    const names = (await log())
      .trim()
      .split('\n')
      .map((line) => line.split('=')[0]);
    expect(names).toContain('GREETING');
    expect(await log()).toContain('GREETING=hello world');
    expect(await log()).not.toContain('server-only-value');
    // PATH and HOME get defaults; bwrap adds PWD. Nothing else of ours or the server's.
    expect(names.filter((n) => !['GREETING', 'PATH', 'HOME', 'PWD'].includes(n!))).toEqual([]);
  });

  it.runIf(enabled)('reports exit codes and keeps what the process wrote', async () => {
    use();
    const { run, workspaceDir } = await setup();
    await mkdir(path.join(workspaceDir, 'sub'));
    const result = await run(['bash', '-c', 'echo made > here.txt; pwd > where.txt; exit 7'], {
      cwd: 'sub',
    });
    expect(result).toMatchObject({ exitCode: 7, signal: null, timedOut: false, aborted: false });
    expect(await readFile(path.join(workspaceDir, 'sub', 'here.txt'), 'utf8')).toBe('made\n');
    const where = (await readFile(path.join(workspaceDir, 'sub', 'where.txt'), 'utf8')).trim();
    expect(where).toBe(name === 'bubblewrap' ? '/workspace/sub' : path.join(workspaceDir, 'sub'));
    expect(path.join(await sandboxWorkspacePath(workspaceDir), 'sub')).toBe(where);
  });

  it.runIf(enabled)(
    'appends whole lines to the log, the last one even without a newline',
    async () => {
      use();
      const { run, log, logFile } = await setup();
      await writeFile(logFile, 'earlier line\n');
      await run(['bash', '-c', 'echo out; echo err >&2; sleep 0.2; printf "no newline"']);
      const lines = (await log()).split('\n');
      expect(lines[0]).toBe('earlier line');
      expect(lines.slice(1, 3).sort()).toEqual(['err', 'out']);
      expect(lines.slice(3)).toEqual(['no newline', '']);
    },
  );

  it.runIf(enabled)('on timeout stops the command and its children', async () => {
    use();
    const { run } = await setup();
    const marker = `lockstep-marker-${randomBytes(6).toString('hex')}`;
    const running = run(treeWithMarkedGrandchild(marker), { timeoutMs: 1_500 });
    expect(await waitFor(() => processesMentioning(marker).length > 0)).toBe(true);
    const result = await running;
    expect(result).toMatchObject({ timedOut: true, aborted: false });
    // bwrap reports a command ended by SIGTERM as 128 + 15; a plain process by its signal.
    if (name === 'bubblewrap') expect(result.exitCode).toBe(143);
    else expect(result.signal).toBe('SIGTERM');
    expect(await waitFor(() => processesMentioning(marker).length === 0, 3_000)).toBe(true);
  });

  it.runIf(enabled)('on abort stops the tree; an aborted signal runs nothing', async () => {
    use();
    const { run, workspaceDir } = await setup();
    const marker = `lockstep-marker-${randomBytes(6).toString('hex')}`;
    const controller = new AbortController();
    const running = run(treeWithMarkedGrandchild(marker), { signal: controller.signal });
    expect(await waitFor(() => processesMentioning(marker).length > 0)).toBe(true);
    controller.abort();
    expect(await running).toMatchObject({ timedOut: false, aborted: true });
    expect(await waitFor(() => processesMentioning(marker).length === 0, 3_000)).toBe(true);
    const before = await run(['touch', 'ran'], { signal: AbortSignal.abort() });
    expect(before).toMatchObject({ aborted: true, exitCode: null });
    expect(existsSync(path.join(workspaceDir, 'ran'))).toBe(false);
  });

  it.runIf(enabled)('kills a command that ignores SIGTERM once the grace period ends', async () => {
    use();
    const { run } = await setup();
    const script = 'trap "" TERM; while true; do sleep 0.1; done';
    const result = await run(['bash', '-c', script], { timeoutMs: 500, killGraceMs: 500 });
    expect(result).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL' });
  });

  it.runIf(enabled)('refuses a working directory outside the workspace', async () => {
    use();
    const { run } = await setup();
    await expect(run(['true'], { cwd: '../..' })).rejects.toThrow(/not inside the workspace/);
    await expect(run(['true'], { cwd: '/etc' })).rejects.toThrow(/not inside the workspace/);
  });
});

describe('runSandboxed without bubblewrap', () => {
  it('says the action ran without isolation', async () => {
    process.env.LOCKSTEP_SANDBOX = 'none';
    const { run, log } = await setup();
    const result = await run(['true']);
    expect(result.isolation).toBe('none');
    expect(result.warning).toMatch(/LOCKSTEP_SANDBOX=none.*without isolation/);
    const missing = await run(['/nonexistent/command']);
    expect(missing.exitCode).toBe(127);
    expect(await log()).toContain('Could not start the command');
  });
});

const starters = ['direct', 'spawner'] as const;

describe.runIf(bubblewrap.available).each(starters)(
  'runSandboxed under bubblewrap, %s',
  (starter) => {
    beforeEach(() => startBubblewrapWith(starter));

    it('cannot see files outside the workspace, even world-readable ones', async () => {
      const { run, log } = await setup();
      const secretDir = await tempDir('server-data');
      const secretFile = path.join(secretDir, 'secret.txt');
      await writeFile(secretFile, 'the-server-secret\n', { mode: 0o644 });
      const result = await run(['bash', '-c', `cat ${secretFile}; ls ${secretDir}`]);
      expect(result.exitCode).not.toBe(0);
      expect(await log()).not.toContain('the-server-secret');
      expect(await log()).toContain('No such file or directory');
    });

    it('can write only the workspace; its /tmp is private', async () => {
      const { run, log, workspaceDir } = await setup();
      const name = `lockstep-private-${randomBytes(6).toString('hex')}`;
      const script = [
        `for target in /usr/${name} /etc/${name} /${name} /var/${name}; do`,
        '  if touch "$target" 2>/dev/null; then echo "WROTE $target"; else echo "refused $target"; fi',
        'done',
        `echo temporary > /tmp/${name} && echo ok > /workspace/inside.txt`,
      ].join('\n');
      expect((await run(['bash', '-c', script])).exitCode).toBe(0);
      expect(await log()).not.toContain('WROTE');
      expect((await log()).match(/refused/g)).toHaveLength(4);
      expect(existsSync(path.join(tmpdir(), name))).toBe(false);
      expect(await readFile(path.join(workspaceDir, 'inside.txt'), 'utf8')).toBe('ok\n');
    });

    it('runs as uid 65534 with no capabilities', async () => {
      const { run, log } = await setup();
      await run(['bash', '-c', 'id -u; id -g; grep -E "^Cap(Eff|Prm|Bnd)" /proc/self/status']);
      const lines = (await log()).trim().split('\n');
      expect(lines.slice(0, 2)).toEqual(['65534', '65534']);
      for (const line of lines.slice(2)) expect(line).toMatch(/:\s+0{16}$/);
    });

    it.runIf(runningAsRoot && existsSync('/etc/shadow'))(
      'is not root outside either: root-only files stay closed',
      async () => {
        const { run, log } = await setup();
        expect((await run(['cat', '/etc/shadow'])).exitCode).not.toBe(0);
        expect(await log()).toContain('Permission denied');
      },
    );

    it('keeps environment values off every command line', async () => {
      const { run } = await setup();
      const token = `token-${randomBytes(8).toString('hex')}`;
      const marker = `lockstep-marker-${randomBytes(6).toString('hex')}`;
      const running = run(['bash', '-c', `exec -a ${marker} sleep 2`], { env: { TOKEN: token } });
      expect(await waitFor(() => processesMentioning(marker).length > 0)).toBe(true);
      expect(processesMentioning(token)).toEqual([]);
      expect((await running).exitCode).toBe(0);
    });

    it('can run git, node and python3', async () => {
      const { run, log } = await setup();
      const script =
        'git init -q repo && git --version && node -e "console.log(6*7)" && python3 -c "print(6*6)"';
      expect((await run(['bash', '-c', script])).exitCode).toBe(0);
      expect(await log()).toMatch(/git version[\s\S]*42\n36\n/);
    });
  },
);
