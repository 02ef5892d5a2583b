/**
 * How runSandboxed starts bwrap: through the spawner process (spawner-process.ts) when its
 * compiled module is there, else from this process. `fork()` of a large server copies its page
 * tables and blocks its event loop until the child has exec'd (1.5 ms and more per action
 * here); the spawner, a small process forked once, does that instead.
 *
 * A spawner that exits is started again for the next action; what it was running ended with it
 * (bwrap's --die-with-parent) and says so in the action's log. A spawner that dies before it is
 * ready, or three times within a minute, is given up: the runs waiting for it, and all later
 * ones, start bwrap from this process. One that stops answering is killed. Each is logged.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { BubblewrapCommandLine } from './bubblewrap-args.js';
import { startedChild, type ProcessExit, type SandboxProcess } from './sandbox-process.js';
import { spawnBubblewrap } from './spawn-bubblewrap.js';
import type { OutputStream, SpawnerEvent, SpawnerRequest } from './spawner-protocol.js';

/** Starts bwrap for one run of runSandboxed. */
export interface BubblewrapStarter {
  /** Resolves once the process runs, or with the error that kept it from starting. */
  start(bwrapPath: string, commandLine: BubblewrapCommandLine): Promise<SandboxProcess | Error>;
}

/** Starts bwrap from this process: a new process group, so a timeout stops all of it. */
export const directStarter: BubblewrapStarter = {
  start: (bwrapPath, commandLine) =>
    startedChild(spawnBubblewrap(bwrapPath, commandLine, { detached: true })),
};

/** Unexpected exits within CRASH_WINDOW_MS after which the spawner is given up. */
const MAX_CRASHES = 3;
const CRASH_WINDOW_MS = 60_000;
/** How long a run may outlive its SIGKILL before the spawner is taken for hung and killed. */
const DEFAULT_UNANSWERED_KILL_MS = 10_000;

type StartRequest = Extract<SpawnerRequest, { op: 'start' }>;

/** A run sent to the spawner, as the server sees it until its end arrives. */
interface SpawnerRun {
  output: Record<OutputStream, Readable>;
  end(exit: ProcessExit): void;
}

/** A run waiting for the spawner to say it is ready. */
interface QueuedRun {
  request: StartRequest;
  resolve: (started: SandboxProcess | Error) => void;
}

function log(message: string): void {
  process.stderr.write(`lockstep: ${message}\n`);
}

/** Starts bwrap through a spawner process forked from `modulePath` on first use. */
export class BubblewrapSpawner implements BubblewrapStarter {
  private child: ChildProcess | undefined;
  private ready = false;
  private nextId = 1;
  /** Sent to the spawner, not yet ended. */
  private readonly runs = new Map<number, SpawnerRun>();
  /** Waiting for the spawner to be ready: none of these has reached it. */
  private queued: QueuedRun[] = [];
  private crashTimesMs: number[] = [];
  private givenUp = false;
  /** The spawner stop() is ending: its exit is no crash. */
  private stopping: ChildProcess | undefined;

  constructor(
    private readonly modulePath: string,
    private readonly options: { unansweredKillMs?: number } = {},
  ) {}

  /**
   * Sends the run to the spawner and resolves at once: the spawner forks while this process
   * goes on, and a bwrap that cannot start ends the run with exit code 127, as a command that
   * cannot start does. Before the spawner's first ready, runs wait for it.
   */
  start(bwrapPath: string, commandLine: BubblewrapCommandLine): Promise<SandboxProcess | Error> {
    if (this.givenUp) return directStarter.start(bwrapPath, commandLine);
    const child = this.child ?? this.fork();
    const request = { op: 'start' as const, id: this.nextId++, bwrapPath, commandLine };
    // Keep this process alive while a run waits on the spawner; an idle one must not.
    child.channel?.ref();
    if (this.ready) return Promise.resolve(this.send(child, request));
    return new Promise((resolve) => this.queued.push({ request, resolve }));
  }

  /** The spawner's pid, once it runs (tests). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Closes the spawner's channel, which ends it (and whatever it still runs), and resolves once
   * it has exited. A later start() forks a new one.
   */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    this.stopping = child;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.connected) child.disconnect();
    else child.kill('SIGKILL');
    await exited;
  }

  /** Sends the run's request; its process, as seen from here, is what the spawner relays. */
  private send(child: ChildProcess, request: StartRequest): SandboxProcess {
    const { id } = request;
    // Pushed as the spawner relays: the log reads them as they come.
    const output = { stdout: new Readable({ read() {} }), stderr: new Readable({ read() {} }) };
    let end: (exit: ProcessExit) => void = () => {};
    const exited = new Promise<ProcessExit>((resolve) => (end = resolve));
    this.runs.set(id, {
      output,
      end: (exit) => {
        if (!this.runs.delete(id)) return;
        output.stdout.push(null);
        output.stderr.push(null);
        end(exit);
        if (this.runs.size === 0) child.channel?.unref();
      },
    });
    this.request(child, request);
    return {
      ...output,
      exited,
      // Requests about this run go to the spawner that started it, never to a later one; once
      // ended, the run is not the spawner's any more (it killed its group at the exit).
      signalTree: (signal, options) => {
        if (!this.runs.has(id)) return;
        this.request(child, { op: 'signal', id, signal, ...options });
        if (signal === 'SIGKILL') this.watchKill(child, id);
      },
      release: () => {
        output.stdout.destroy();
        output.stderr.destroy();
      },
    };
  }

  /**
   * A killed run ends within milliseconds; one still running long after means the spawner no
   * longer answers, and would leave the action waiting for ever: it is killed, which ends every
   * run it had (lost).
   */
  private watchKill(child: ChildProcess, id: number): void {
    const waitMs = this.options.unansweredKillMs ?? DEFAULT_UNANSWERED_KILL_MS;
    setTimeout(() => {
      if (!this.runs.has(id) || this.child !== child) return;
      log(
        `the sandbox spawner process (pid ${child.pid}) did not end a killed action process ` +
          `within ${waitMs} ms; killing it`,
      );
      child.kill('SIGKILL');
    }, waitMs).unref();
  }

  /** Writes a request; if the channel has closed, the spawner's exit settles its runs. */
  private request(child: ChildProcess, request: SpawnerRequest): void {
    if (!child.connected) return;
    child.send(request, (error) => {
      if (error) child.kill('SIGKILL');
    });
  }

  private fork(): ChildProcess {
    // Nothing of the server's environment or V8 options: it needs neither, and bwrap gets an
    // empty environment from it anyway. A session of its own, as bwrap had: a Ctrl-C meant for
    // the server must not kill every sandbox at once, the server stops them with a grace period.
    const child = fork(this.modulePath, [], {
      env: {},
      execArgv: [],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      detached: true,
    });
    child.unref();
    this.child = child;
    this.ready = false;
    child.on('message', (event: SpawnerEvent) => this.receive(child, event));
    // Settled once it has exited and every message it sent has been read (the channel closes
    // after the last one): only then is it known whether it said it was ready.
    let exitReason: string | undefined;
    let disconnected = false;
    const settle = () => {
      if (exitReason !== undefined && disconnected) this.lost(child, exitReason);
    };
    child.once('exit', (code, signal) => {
      exitReason = signal ? `signal ${signal}` : `code ${code}`;
      settle();
    });
    child.once('disconnect', () => {
      disconnected = true;
      // It never closes the channel itself: one that did is no use any more.
      if (exitReason === undefined) child.kill('SIGKILL');
      settle();
    });
    child.on('error', (error) => {
      // Not even started (EAGAIN, ENOMEM): neither an exit nor a disconnect will follow.
      if (child.pid !== undefined) return;
      exitReason = error.message;
      disconnected = true;
      settle();
    });
    return child;
  }

  private receive(child: ChildProcess, event: SpawnerEvent): void {
    switch (event.op) {
      case 'ready': {
        this.ready = true;
        const queued = this.queued;
        this.queued = [];
        for (const { request, resolve } of queued) resolve(this.send(child, request));
        break;
      }
      case 'output':
        this.runs.get(event.id)?.output[event.stream].push(Buffer.from(event.chunk));
        break;
      case 'exit':
        this.runs.get(event.id)?.end({ code: event.code, signal: event.signal });
        break;
      case 'failed':
        this.runs.get(event.id)?.end({
          code: 127,
          signal: null,
          note: `Could not start the command: ${event.message}`,
        });
        break;
    }
  }

  /** The spawner exited: settle every run it had, and decide what starts the next one. */
  private lost(child: ChildProcess, reason: string): void {
    if (this.child !== child) return;
    this.child = undefined;
    const wasReady = this.ready;
    const runs = [...this.runs.values()];
    const queued = this.queued;
    this.queued = [];
    let how = `exited (${reason})`;
    if (this.stopping === child) {
      this.stopping = undefined;
      how = 'was stopped';
    } else {
      const nowMs = Date.now();
      const recent = this.crashTimesMs.filter((timeMs) => nowMs - timeMs < CRASH_WINDOW_MS);
      this.crashTimesMs = [...recent, nowMs];
      this.givenUp ||= this.crashTimesMs.length >= MAX_CRASHES || !wasReady;
      log(
        `the sandbox spawner process (pid ${child.pid ?? 'none'}) ${how}` +
          (runs.length > 0 ? `; ${runs.length} running action process(es) ended with it` : '') +
          (this.givenUp
            ? '; starting bubblewrap from the server process from now on'
            : '; a new one starts with the next action'),
      );
    }
    // Those sent may have started: bwrap died with the spawner (--die-with-parent).
    const note = `The sandbox spawner process ${how}; the command was killed with it.`;
    for (const run of runs) run.end({ code: null, signal: 'SIGKILL', note });
    // Those queued never reached it: they start as if it had never been there.
    for (const { request, resolve } of queued) {
      void directStarter.start(request.bwrapPath, request.commandLine).then(resolve);
    }
  }
}

let chosen: BubblewrapStarter | undefined;

/**
 * The starter runSandboxed uses: a spawner forked from the compiled spawner-process.js beside
 * this module, or this process itself when there is none (running from the TypeScript sources).
 */
export function bubblewrapStarter(): BubblewrapStarter {
  chosen ??= defaultStarter();
  return chosen;
}

/** Makes runSandboxed start bwrap with `starter` (tests; the benchmark's floor). */
export function useBubblewrapStarter(starter: BubblewrapStarter): void {
  chosen = starter;
}

function defaultStarter(): BubblewrapStarter {
  const compiled = new URL('./spawner-process.js', import.meta.url);
  if (existsSync(compiled)) return new BubblewrapSpawner(fileURLToPath(compiled));
  // Running from sources (vitest): there is no compiled module to fork, which is expected.
  if (import.meta.url.endsWith('.ts')) return directStarter;
  log(`${fileURLToPath(compiled)} is missing; starting bubblewrap from the server process`);
  return directStarter;
}
