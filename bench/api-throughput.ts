/**
 * `npm run bench`: requests per second and p50/p99 latency of signed GetPipeline and
 * ListPipelines against a real `lockstep serve`, on SQLite and (when LOCKSTEP_TEST_DATABASE_URL
 * names a server) on PostgreSQL, beside a floor measured in the same run: a bare node:http
 * server replaying the very bytes the real server answered. The load client is a separate
 * process that signs every request itself. This measures; it asserts nothing. bench/README.md
 * explains the rows.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BareServerListening, BareServerStart } from './bare-server.js';
import { addCleanup, cleanUpAll, cleanUpOnSignals, stopChild, wasInterrupted } from './cleanup.js';
import type { DatabaseBackends } from './cpu-time.js';
import { readSettings, type Settings } from './bench-settings.js';
import { LoadClient } from './load-client-process.js';
import { startLockstep } from './lockstep-process.js';
import { createBenchDatabase } from './postgres-database.js';
import { renderErrorNotes, renderResultsTable, type ResultRow } from './results-table.js';
import { seedPipelines } from './seed-pipelines.js';
import { sendSigned, type CapturedResponse, type Endpoint } from './signed-request.js';
import { SigV4Signer, type SigningCredentials } from './sigv4-signer.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ACCOUNT_ID = '123456789012';
const REGION = 'us-east-1';
const FLOOR = 'bare node:http (floor)';
const SQLITE = 'Lockstep SQLite';
const POSTGRES = 'Lockstep PostgreSQL';
const REQUEST_TIMEOUT_MS = 10_000;

interface Scenario {
  name: string;
  target: string;
  body: string;
}

/** Where a scenario runs: a server's address, its process and the key to sign with. */
interface Target {
  engine: string;
  endpoint: Endpoint;
  pid: number;
  credentials: SigningCredentials;
  database?: DatabaseBackends;
}

async function main(): Promise<void> {
  cleanUpOnSignals();
  const settings = readSettings();
  const repoRoot = findRepoRoot();
  printPreamble(settings);
  const client = await LoadClient.start();
  const rows: ResultRow[] = [];

  const sqlite = await benchLockstep(SQLITE, repoRoot, undefined, settings, client);
  rows.push(...sqlite.rows);
  printCaptured(sqlite.captured);
  rows.push(...(await benchFloor(sqlite, settings, client)));

  let postgresNote = 'PostgreSQL: skipped (LOCKSTEP_TEST_DATABASE_URL is not set).';
  if (settings.postgresUrl !== undefined) {
    const database = await createBenchDatabase(settings.postgresUrl);
    postgresNote =
      `PostgreSQL: ${database.serverVersion}, a fresh database, dropped afterwards; ` +
      (database.backends === undefined
        ? 'its CPU is not shown (the server is not on this machine).'
        : 'db CPU is its backends on this machine.');
    const postgres = await benchLockstep(POSTGRES, repoRoot, database, settings, client);
    rows.push(...postgres.rows);
    await database.drop();
  }

  console.log('');
  console.log(renderResultsTable(rows, [FLOOR, SQLITE, POSTGRES]));
  console.log('');
  console.log(postgresNote);
  const notes = renderErrorNotes(rows);
  console.log(notes.length === 0 ? 'Errors: none.' : `Errors:\n  ${notes.join('\n  ')}`);
}

/** Starts a real server, seeds it, captures its answers, and runs every scenario on it. */
async function benchLockstep(
  engine: string,
  repoRoot: string,
  database: { url: string; backends: DatabaseBackends | undefined } | undefined,
  settings: Settings,
  client: LoadClient,
) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lockstep-bench-'));
  const removeDataDir = addCleanup(() => rm(dataDir, { recursive: true, force: true }));
  const server = await startLockstep({
    repoRoot,
    dataDir,
    accountId: ACCOUNT_ID,
    region: REGION,
    ...(database === undefined ? {} : { databaseUrl: database.url }),
  });
  try {
    const agent = new http.Agent({ keepAlive: true });
    const call = {
      agent,
      endpoint: server.endpoint,
      signer: new SigV4Signer(server.credentials, REGION),
      timeoutMs: REQUEST_TIMEOUT_MS,
    };
    progress(`${engine}: seeding ${settings.pipelines} pipelines`);
    const names = await seedPipelines(repoRoot, call, settings.pipelines);
    const scenarios = scenariosFor(names);
    const captured = new Map<string, CapturedResponse>();
    for (const scenario of scenarios) {
      const body = Buffer.from(scenario.body, 'utf8');
      const response = await sendSigned({ ...call, target: scenario.target, body });
      if (response.statusCode !== 200) {
        throw new Error(
          `${scenario.name} answered ${response.statusCode}: ${String(response.body)}`,
        );
      }
      captured.set(scenario.target, response);
    }
    agent.destroy();
    const target: Target = {
      engine,
      endpoint: server.endpoint,
      pid: server.pid,
      credentials: server.credentials,
      ...(database?.backends === undefined ? {} : { database: database.backends }),
    };
    const rows = await runScenarios(target, scenarios, settings, client);
    return { rows, captured, scenarios, credentials: server.credentials };
  } catch (error) {
    if (!wasInterrupted()) process.stderr.write(`bench: ${engine} server log:\n${server.log()}\n`);
    throw error;
  } finally {
    await server.stop();
    await removeDataDir();
  }
}

/** Replays the captured answers from a bare node:http server and runs the same scenarios. */
async function benchFloor(
  real: {
    captured: Map<string, CapturedResponse>;
    scenarios: Scenario[];
    credentials: SigningCredentials;
  },
  settings: Settings,
  client: LoadClient,
): Promise<ResultRow[]> {
  const child = fork(path.join(HERE, 'bare-server.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const stop = addCleanup(() => stopChild(child));
  try {
    const start: BareServerStart = { kind: 'start', responses: {} };
    for (const [target, response] of real.captured) {
      start.responses[target] = {
        statusCode: response.statusCode,
        headers: response.headers,
        bodyBase64: response.body.toString('base64'),
      };
    }
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message: BareServerListening) => resolve(message.port));
      child.once('exit', (code) => reject(new Error(`the bare server exited with ${code}`)));
      child.send(start);
    });
    const target: Target = {
      engine: FLOOR,
      endpoint: { hostname: '127.0.0.1', port },
      pid: child.pid ?? 0,
      // Not checked by the floor, but the same key keeps the signing work identical.
      credentials: real.credentials,
    };
    return await runScenarios(target, real.scenarios, settings, client);
  } finally {
    await stop();
  }
}

async function runScenarios(
  target: Target,
  scenarios: Scenario[],
  settings: Settings,
  client: LoadClient,
): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  for (const scenario of scenarios) {
    for (const concurrency of settings.concurrencies) {
      const result = await client.run({
        kind: 'run',
        endpoint: target.endpoint,
        credentials: target.credentials,
        region: REGION,
        target: scenario.target,
        body: scenario.body,
        concurrency,
        warmupMs: settings.warmupMs,
        durationMs: settings.durationMs,
        timeoutMs: REQUEST_TIMEOUT_MS,
        serverPid: target.pid,
        ...(target.database === undefined ? {} : { database: target.database }),
      });
      const perSecond = ((result.requests * 1000) / result.elapsedMs).toFixed(0);
      progress(
        `${target.engine}: ${scenario.name} x${concurrency}: ${perSecond} req/s, ` +
          `p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ${result.errors} errors`,
      );
      rows.push({ scenario: scenario.name, engine: target.engine, concurrency, result });
    }
  }
  return rows;
}

// GetPipeline always asks for the same pipeline, from the middle of the seeded names, so that
// every request (and the floor's replay) carries the same bytes.
function scenariosFor(names: string[]): Scenario[] {
  const name = names[Math.floor(names.length / 2)] ?? '';
  return [
    {
      name: 'GetPipeline',
      target: 'CodePipeline_20150709.GetPipeline',
      body: JSON.stringify({ name }),
    },
    { name: 'ListPipelines', target: 'CodePipeline_20150709.ListPipelines', body: '{}' },
  ];
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

function printPreamble(settings: Settings): void {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`Lockstep API throughput, ${new Date().toISOString()}`);
  console.log(
    `Machine: ${os.availableParallelism()} cores, ${cpu}, ${os.type()} ${os.release()}; Node ${process.version}`,
  );
  console.log(
    `Each scenario: ${settings.warmupMs / 1000} s warm-up, then ${settings.durationMs / 1000} s measured; ` +
      `concurrency = requests in flight on as many keep-alive connections; ${settings.pipelines} pipelines seeded.`,
  );
}

function printCaptured(captured: Map<string, CapturedResponse>): void {
  const sizes = [...captured].map(
    ([target, response]) => `${target.split('.')[1] ?? target} ${response.body.length} bytes`,
  );
  console.log(`Response bodies (replayed by the floor): ${sizes.join(', ')}.`);
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
