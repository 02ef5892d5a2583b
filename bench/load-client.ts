/**
 * The load generator, run as its own process (forked by api-throughput.ts) so that on a small
 * machine it competes with the server only for cores, not for one event loop. It keeps
 * `concurrency` signed requests in flight over as many keep-alive connections, warms up, then
 * records the latency of every request started inside the measured window.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import {
  backendsCpuDeltaMs,
  backendsCpuMs,
  machineBusyPct,
  machineCpu,
  processCpuMs,
  type DatabaseBackends,
} from './cpu-time.js';
import type { LoadFailure, LoadJob, LoadResult } from './load-job.js';
import { percentile } from './latency-percentile.js';
import { sendSigned, type SignedCall } from './signed-request.js';
import { SigV4Signer } from './sigv4-signer.js';

const MAX_ERROR_SAMPLES = 3;

/** Runs one job to completion and summarises it. */
export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  const call: SignedCall = {
    agent,
    endpoint: job.endpoint,
    signer: new SigV4Signer(job.credentials, job.region),
    target: job.target,
    body: Buffer.from(job.body, 'utf8'),
    timeoutMs: job.timeoutMs,
  };
  const latencies: number[] = [];
  const errorSamples = new Map<string, number>();
  let errors = 0;
  const measureFrom = performance.now() + job.warmupMs;
  const endAt = measureFrom + job.durationMs;
  let before: ReturnType<typeof sample> | undefined;
  const timer = setTimeout(() => (before = sample(job.serverPid, job.database)), job.warmupMs);

  const worker = async () => {
    for (;;) {
      const start = performance.now();
      if (start >= endAt) return;
      const failure = await callOnce(call);
      if (start < measureFrom) continue;
      latencies.push(performance.now() - start);
      if (failure !== undefined) {
        errors++;
        errorSamples.set(failure, (errorSamples.get(failure) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  clearTimeout(timer);
  const after = sample(job.serverPid, job.database);
  agent.destroy();
  before ??= after;
  return summarise(latencies, errors, errorSamples, before, after);
}

// Resolves with a description of what went wrong, or undefined for an HTTP 200.
async function callOnce(call: SignedCall): Promise<string | undefined> {
  try {
    const response = await sendSigned(call);
    if (response.statusCode === 200) return undefined;
    const type = /"__type"\s*:\s*"([^"]+)"/.exec(response.body.toString('utf8'))?.[1];
    return `HTTP ${response.statusCode}${type === undefined ? '' : ` ${type}`}`;
  } catch (error) {
    return `no response: ${(error as Error).message}`;
  }
}

function sample(serverPid: number, database: DatabaseBackends | undefined) {
  return {
    atMs: performance.now(),
    client: process.cpuUsage(),
    serverCpuMs: processCpuMs(serverPid),
    databaseCpuMs: database === undefined ? null : backendsCpuMs(database),
    machine: machineCpu(),
  };
}

function summarise(
  latencies: number[],
  errors: number,
  errorSamples: Map<string, number>,
  before: ReturnType<typeof sample>,
  after: ReturnType<typeof sample>,
): LoadResult {
  const sorted = Float64Array.from(latencies).sort();
  const elapsedMs = after.atMs - before.atMs;
  const client = process.cpuUsage(before.client);
  const serverMs =
    before.serverCpuMs === null || after.serverCpuMs === null
      ? null
      : after.serverCpuMs - before.serverCpuMs;
  const databaseMs = backendsCpuDeltaMs(before.databaseCpuMs, after.databaseCpuMs);
  return {
    kind: 'result',
    requests: latencies.length,
    errors,
    errorSamples: [...errorSamples]
      .slice(0, MAX_ERROR_SAMPLES)
      .map(([what, count]) => `${count} x ${what}`),
    elapsedMs,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    clientCpuPct: ((client.user + client.system) / 1000 / elapsedMs) * 100,
    serverCpuPct: serverMs === null ? null : (serverMs / elapsedMs) * 100,
    databaseCpuPct: databaseMs === null ? null : (databaseMs / elapsedMs) * 100,
    machineBusyPct: machineBusyPct(before.machine, after.machine),
  };
}

// Entry point when forked: one job at a time from the parent, and exit with the parent.
if (process.send !== undefined) {
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: LoadJob) => {
    runLoad(message).then(
      (result) => process.send?.(result),
      (error: unknown) => {
        const failure: LoadFailure = { kind: 'failure', message: String(error) };
        process.send?.(failure);
      },
    );
  });
}
