/**
 * `npm run bench:executions`: what orchestrating a pipeline run costs on a real
 * `lockstep serve`, on SQLite and (when LOCKSTEP_TEST_DATABASE_URL names a server) on
 * PostgreSQL. (1) The wall time of each action of a sequential pipeline of Commands actions
 * running `true`, from the server's own action records, less the floor of the same sandboxed
 * process spawned directly; (2) runs per second and run latency of a source + one-action
 * pipeline at several concurrencies; (3) the spawn floors themselves, measured in the same run.
 * This measures; it asserts nothing. bench/README.md explains the rows.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CodePipelineClient,
  CreatePipelineCommand,
  ListPipelineExecutionsCommand,
} from '@aws-sdk/client-codepipeline';
import { addCleanup, cleanUpAll, cleanUpOnSignals, wasInterrupted } from './cleanup.js';
import type { DatabaseBackends } from './cpu-time.js';
import { startCpuWindow } from './cpu-window.js';
import { runExecutionLoad } from './execution-load.js';
import {
  actionsOf,
  oneActionPipeline,
  sequentialPipeline,
  type SequentialShape,
} from './execution-pipelines.js';
import { readExecutionSettings, type ExecutionSettings } from './execution-settings.js';
import { p50p99, renderExecutionTable, type ExecutionRow } from './execution-table.js';
import { createBenchRole } from './execution-role.js';
import { createGitConnection, type GitConnection } from './git-connection.js';
import { startLockstepWithWorkers } from './lockstep-with-workers.js';
import { createBenchDatabase } from './postgres-database.js';
import { waitForRun } from './run-waiter.js';
import { measureSequential } from './sequential-actions.js';
import { measureSpawnFloors } from './spawn-floor.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ACCOUNT_ID = '123456789012';
const REGION = 'us-east-1';
const SQLITE = 'Lockstep SQLite';
const POSTGRES = 'Lockstep PostgreSQL';
const SHAPES: SequentialShape[] = ['stages', 'run orders'];
/** The issue's target: orchestration per action at p50 on the embedded default. */
const TARGET_OVERHEAD_MS = 5;
// The per-action figures come from the server's own timestamps, so the sequential runs need no
// fine polling; polling every 5 ms would only add calls competing with the engine for the
// server's one event loop.
const SEQUENTIAL_POLL_MS = 50;

interface EngineResult {
  rows: ExecutionRow[];
  notes: string[];
}

async function main(): Promise<void> {
  cleanUpOnSignals();
  const settings = readExecutionSettings();
  const repoRoot = findRepoRoot();
  printPreamble(settings);
  progress(`floors: ${settings.floorSpawns} spawns each`);
  const floors = await measureSpawnFloors(settings.floorSpawns);
  const sandboxedTrue = floors.find((floor) => floor.name === 'runSandboxed /bin/true');
  const floorMs = p50p99(sandboxedTrue?.wallMs ?? []).p50;
  const rows: ExecutionRow[] = floors.map((floor) => ({
    scenario: `${floor.name} (floor)`,
    engine: floor.isolation === '-' ? 'node child_process' : `sandbox: ${floor.isolation}`,
    concurrency: 1,
    samplesMs: floor.wallMs,
    cpu: floor.cpu,
    units: floor.wallMs.length,
  }));
  const notes: string[] = [];

  const sqlite = await benchEngine(SQLITE, repoRoot, undefined, settings, floorMs);
  rows.push(...sqlite.rows);
  notes.push(...sqlite.notes);

  let postgresNote = 'PostgreSQL: skipped (LOCKSTEP_TEST_DATABASE_URL is not set).';
  if (settings.postgresUrl !== undefined) {
    const database = await createBenchDatabase(settings.postgresUrl);
    postgresNote =
      `PostgreSQL: ${database.serverVersion}, a fresh database, dropped afterwards; ` +
      (database.backends === undefined
        ? 'its CPU is not shown (the server is not on this machine).'
        : 'db CPU is its backends on this machine.');
    const postgres = await benchEngine(POSTGRES, repoRoot, database, settings, floorMs);
    rows.push(...postgres.rows);
    notes.push(...postgres.notes);
    await database.drop();
  }

  console.log('');
  console.log(renderExecutionTable(rows));
  console.log('');
  console.log(postgresNote);
  for (const note of notes) console.log(note);
  console.log(verdict(rows));
}

/** Starts a server on one engine and runs the sequential and throughput scenarios on it. */
async function benchEngine(
  engine: string,
  repoRoot: string,
  database: { url: string; backends: DatabaseBackends | undefined } | undefined,
  settings: ExecutionSettings,
  floorMs: number,
): Promise<EngineResult> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lockstep-bench-'));
  const removeDataDir = addCleanup(() => rm(dataDir, { recursive: true, force: true }));
  const server = await startLockstepWithWorkers(
    {
      repoRoot,
      dataDir,
      accountId: ACCOUNT_ID,
      region: REGION,
      ...(database === undefined ? {} : { databaseUrl: database.url }),
    },
    settings.workers,
  );
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 * settings.workers + 8 });
  const client = new CodePipelineClient({
    endpoint: `http://${server.endpoint.hostname}:${server.endpoint.port}`,
    region: REGION,
    credentials: server.credentials,
    // A failed call is a finding, not something to retry quietly.
    maxAttempts: 1,
    requestHandler: { httpAgent: agent },
  });
  let source: GitConnection | undefined;
  try {
    const url = `http://${server.endpoint.hostname}:${server.endpoint.port}`;
    await createBenchRole(client, url, REGION, server.credentials);
    source = await createGitConnection(url, dataDir);
    const cpuWindow = () => startCpuWindow(server.pid, database?.backends);
    const result = await benchSequential(engine, client, source, settings, floorMs, cpuWindow);
    const throughput = await benchThroughput(engine, client, source, settings, cpuWindow);
    result.rows.push(...throughput.rows);
    result.notes.push(...throughput.notes);
    return result;
  } catch (error) {
    if (!wasInterrupted()) process.stderr.write(`bench: ${engine} server log:\n${server.log()}\n`);
    throw error;
  } finally {
    client.destroy();
    agent.destroy();
    await server.stop();
    await source?.remove();
    await removeDataDir();
  }
}

/** Per-action wall times of the sequential pipelines, one shape after the other. */
async function benchSequential(
  engine: string,
  client: CodePipelineClient,
  source: GitConnection,
  settings: ExecutionSettings,
  floorMs: number,
  cpuWindow: () => ReturnType<typeof startCpuWindow>,
): Promise<EngineResult> {
  const result: EngineResult = { rows: [], notes: [] };
  for (const shape of SHAPES) {
    const actions = actionsOf(shape, settings.actions);
    const label = shape === 'stages' ? `${actions} stages × 1` : `1 stage × ${actions} run orders`;
    progress(`${engine}: ${settings.sequentialRuns} runs of source + ${label}`);
    const name = `bench-sequential-${shape.replace(' ', '-')}`;
    const pipeline = sequentialPipeline(name, source, shape, settings.actions);
    const measured = await measureSequential(
      client,
      pipeline,
      settings.sequentialRuns,
      SEQUENTIAL_POLL_MS,
      cpuWindow,
    );
    const { p50 } = p50p99(measured.actionWallMs);
    progress(`${engine}: ${label}: action p50 ${p50.toFixed(2)} ms`);
    result.rows.push({
      scenario: `action, ${label}`,
      engine,
      concurrency: 1,
      samplesMs: measured.actionWallMs,
      floorMs,
      cpu: measured.cpu,
      units: measured.actionWallMs.length,
    });
    const run = p50p99(measured.runWallMs);
    // The server's timestamps are whole milliseconds, so p50 moves in steps of 1 ms; the mean
    // shows smaller changes.
    const meanMs =
      measured.actionWallMs.reduce((sum, ms) => sum + ms, 0) / measured.actionWallMs.length;
    result.notes.push(
      `${engine}, ${label}: action mean ${meanMs.toFixed(2)} ms; ` +
        `whole runs p50 ${run.p50.toFixed(0)} ms as the client saw them ` +
        `(source included, polling every ${SEQUENTIAL_POLL_MS} ms); largest gap between one ` +
        `action's end and the next one's start ${measured.largestGapMs} ms.`,
    );
  }
  return result;
}

/** Runs per second of the source + one-action pipeline at each concurrency. */
async function benchThroughput(
  engine: string,
  client: CodePipelineClient,
  source: GitConnection,
  settings: ExecutionSettings,
  cpuWindow: () => ReturnType<typeof startCpuWindow>,
): Promise<EngineResult> {
  const pipeline = oneActionPipeline('bench-one-action', source);
  const pipelineName = pipeline.name ?? '';
  await client.send(new CreatePipelineCommand({ pipeline }));
  const listed = await client.send(new ListPipelineExecutionsCommand({ pipelineName }));
  const first = listed.pipelineExecutionSummaries?.[0]?.pipelineExecutionId ?? '';
  await waitForRun(client, pipelineName, first, settings.pollMs);
  const result: EngineResult = { rows: [], notes: [] };
  for (const concurrency of settings.concurrencies) {
    // Every waiting run polls, so at concurrency 16 a 5 ms interval would be 3,200 calls/s,
    // more than the server answers with nothing else to do: the load would be the polls. The
    // interval grows with the runs in flight instead, so that polls cost the same at every
    // concurrency; the server's own run times below are exact whatever the interval.
    const pollMs = settings.pollMs * concurrency;
    const load = await runExecutionLoad(
      client,
      pipelineName,
      { concurrency, warmupMs: settings.warmupMs, durationMs: settings.durationMs, pollMs },
      cpuWindow,
    );
    const runsPerSecond = (load.latencyMs.length * 1000) / load.elapsedMs;
    const clientLatency = p50p99(load.latencyMs);
    const serverLatency = p50p99(load.serverRunMs);
    progress(
      `${engine}: source + 1 action x${concurrency}: ${runsPerSecond.toFixed(1)} runs/s, ` +
        `p50 ${clientLatency.p50.toFixed(1)} ms, p99 ${clientLatency.p99.toFixed(1)} ms, ` +
        `${load.failures} failed${load.failures > 0 ? `: ${load.failureSamples.join('; ')}` : ''}`,
    );
    if (load.failures > 0) {
      throw new Error(`${load.failures} runs failed: ${load.failureSamples.join('; ')}`);
    }
    result.notes.push(
      `${engine}, source + 1 action at concurrency ${concurrency}: each run polled every ` +
        `${pollMs} ms (${load.pollsPerSecond.toFixed(0)} GetPipelineExecution calls/s); ` +
        `run time as the server recorded it (startTime to lastUpdateTime) ` +
        `p50 ${serverLatency.p50.toFixed(0)} ms, p99 ${serverLatency.p99.toFixed(0)} ms.`,
    );
    result.rows.push({
      scenario: 'run, source + 1 action',
      engine,
      concurrency,
      samplesMs: load.latencyMs,
      windowMs: load.elapsedMs,
      cpu: load.cpu,
      units: load.latencyMs.length,
    });
  }
  return result;
}

/** Whether the embedded default meets the issue's target, in one sentence per shape. */
function verdict(rows: ExecutionRow[]): string {
  const lines = rows
    .filter((row) => row.engine === SQLITE && row.floorMs !== undefined)
    .map((row) => {
      const overhead = p50p99(row.samplesMs).p50 - (row.floorMs ?? 0);
      const met = overhead <= TARGET_OVERHEAD_MS ? 'met' : 'NOT met';
      return `${row.scenario}: p50 overhead ${overhead.toFixed(2)} ms per action, target ≤ ${TARGET_OVERHEAD_MS} ms ${met}.`;
    });
  return `Target on SQLite (the embedded default):\n  ${lines.join('\n  ')}`;
}

// dist/bench/ when built, bench/ when run from source: walk up to the directory with bin/.
function findRepoRoot(): string {
  for (let dir = HERE; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (
      existsSync(path.join(dir, 'bin', 'lockstep')) &&
      existsSync(path.join(dir, 'package.json'))
    ) {
      return dir;
    }
  }
  throw new Error(`no bin/lockstep above ${HERE}`);
}

function printPreamble(settings: ExecutionSettings): void {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`Lockstep execution overhead, ${new Date().toISOString()}`);
  console.log(
    `Machine: ${os.availableParallelism()} cores, ${cpu}, ${os.type()} ${os.release()}; Node ${process.version}`,
  );
  console.log(
    `Servers: LOCKSTEP_WORKERS=${settings.workers}; sequential: ${settings.sequentialRuns} runs per shape; ` +
      `throughput: ${settings.warmupMs / 1000} s warm-up, then ${settings.durationMs / 1000} s measured, ` +
      `GetPipelineExecution polled every ${settings.pollMs} ms × concurrency per waiting run.`,
  );
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

main().then(
  () => cleanUpAll(),
  async (error: unknown) => {
    if (!wasInterrupted()) {
      process.stderr.write(`bench: failed: ${(error as Error).stack ?? String(error)}\n`);
    }
    await cleanUpAll();
    process.exitCode = 1;
  },
);
