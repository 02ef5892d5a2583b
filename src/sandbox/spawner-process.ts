/**
 * The spawner: a small process the server forks once (bubblewrap-spawner.ts) to start bwrap for
 * it. `fork()` copies the page tables of the process that calls it and blocks that process
 * until the child has exec'd, so starting bwrap from the server costs its event loop more the
 * larger it grows; from here it costs a process of a few MB of heap, and the server's event
 * loop not at all. Keep the imports to node built-ins and the small sandbox modules below.
 *
 * It relays each run's stdout and stderr as bytes and its end, and signals its process tree on
 * request while its pid is still its own (not yet reaped). It exits when the server goes (the
 * IPC channel closes); bwrap's --die-with-parent then ends every sandbox.
 */
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { OUTPUT_DRAIN_MS } from './sandbox-process.js';
import { signalProcessTree } from './signal-process-tree.js';
import { spawnBubblewrap } from './spawn-bubblewrap.js';
import type { OutputStream, SpawnerEvent, SpawnerRequest } from './spawner-protocol.js';

/** Output chunks sent but not yet written to the channel before a run's reading pauses. */
const MAX_UNSENT_CHUNKS = 32;

/** Runs not yet over, by the server's id. */
const runs = new Map<number, ChildProcess>();

function send(event: SpawnerEvent, sent?: () => void): void {
  if (!process.connected) return;
  process.send?.(event, undefined, {}, () => sent?.());
}

/** Relays one output stream, pausing it while the channel has too much of it unsent. */
function relay(id: number, name: OutputStream, stream: Readable | null): void {
  let unsent = 0;
  stream?.on('data', (chunk: Buffer) => {
    unsent++;
    if (unsent >= MAX_UNSENT_CHUNKS) stream.pause();
    send({ op: 'output', id, stream: name, chunk }, () => {
      unsent--;
      if (unsent < MAX_UNSENT_CHUNKS && stream.isPaused()) stream.resume();
    });
  });
}

function start({ id, bwrapPath, commandLine }: Extract<SpawnerRequest, { op: 'start' }>): void {
  const child = spawnBubblewrap(bwrapPath, commandLine, { detached: true });
  const { pid } = child;
  if (pid === undefined) {
    child.once('error', (error) => send({ op: 'failed', id, message: error.message }));
    return;
  }
  runs.set(id, child);
  relay(id, 'stdout', child.stdout);
  relay(id, 'stderr', child.stderr);
  let drain: NodeJS.Timeout | undefined;
  child.once('exit', () => {
    // As superviseProcess does for a process it spawned: what the command left running in its
    // process group ends with it. Output still open after the drain time is cut.
    signalProcessTree(pid, 'SIGKILL', { group: true, descendants: false });
    drain = setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    }, OUTPUT_DRAIN_MS);
  });
  // Exited and both output streams closed: all its output has been sent before this.
  child.once('close', (code, signal) => {
    clearTimeout(drain);
    runs.delete(id);
    send({ op: 'exit', id, code, signal });
  });
}

function signal(request: Extract<SpawnerRequest, { op: 'signal' }>): void {
  const child = runs.get(request.id);
  if (child?.pid === undefined) return;
  // Once reaped, its pid may already be someone else's: only its process group may still be
  // signalled then (the group's id stays taken while any member lives).
  const reaped = child.exitCode !== null || child.signalCode !== null;
  if (reaped && !request.group) return;
  signalProcessTree(child.pid, request.signal, {
    group: request.group,
    descendants: request.descendants && !reaped,
  });
}

process.on('message', (request: SpawnerRequest) => {
  switch (request.op) {
    case 'start':
      start(request);
      break;
    case 'signal':
      signal(request);
      break;
  }
});
// The server is gone: so is every reason to run. bwrap's --die-with-parent ends the sandboxes.
process.on('disconnect', () => process.exit(0));
send({ op: 'ready' });
