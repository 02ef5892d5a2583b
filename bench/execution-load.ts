/**
 * Executions per second of one pipeline: `concurrency` clients, each starting a run with
 * StartPipelineExecution, polling GetPipelineExecution until it has finished, and starting
 * the next. After a warm-up, runs started within the measured window count. Their latency is
 * taken twice: by the client, from just before StartPipelineExecution to the poll that saw the
 * run finished (so up to one polling interval late), and by the server, from the run's
 * startTime to its lastUpdateTime in ListPipelineExecutions.
 */
import {
  ListPipelineExecutionsCommand,
  StartPipelineExecutionCommand,
  type CodePipelineClient,
} from '@aws-sdk/client-codepipeline';
import type { CpuUsage } from './cpu-window.js';
import { waitForRun } from './run-waiter.js';

export interface LoadSettings {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Polling interval of each waiting run. */
  pollMs: number;
}

export interface ExecutionLoadResult {
  /** Client-side latency of each run started in the window that succeeded, in ms. */
  latencyMs: number[];
  /** The same runs' start-to-end times as the server recorded them, in ms. */
  serverRunMs: number[];
  /** Runs started in the window that did not succeed, or whose calls failed. */
  failures: number;
  failureSamples: string[];
  /** GetPipelineExecution calls made for the runs counted, per second of the window. */
  pollsPerSecond: number;
  elapsedMs: number;
  cpu: CpuUsage;
}

/** Runs the load on `pipelineName`, sampling CPU over the measured window only. */
export async function runExecutionLoad(
  client: CodePipelineClient,
  pipelineName: string,
  settings: LoadSettings,
  cpuWindow: () => { end(): CpuUsage },
): Promise<ExecutionLoadResult> {
  const windowStart = performance.now() + settings.warmupMs;
  const windowEnd = windowStart + settings.durationMs;
  const latencyMs: number[] = [];
  const measuredIds: string[] = [];
  const failureSamples: string[] = [];
  let failures = 0;
  let polls = 0;
  let window: { end(): CpuUsage } | undefined;
  let cpu: CpuUsage | undefined;
  const timers = [
    setTimeout(() => (window = cpuWindow()), settings.warmupMs),
    setTimeout(() => (cpu = window?.end()), settings.warmupMs + settings.durationMs),
  ];
  const fail = (message: string) => {
    failures++;
    if (failureSamples.length < 3) failureSamples.push(message);
  };
  const oneClient = async () => {
    while (performance.now() < windowEnd) {
      const started = performance.now();
      const measured = started >= windowStart;
      try {
        const { pipelineExecutionId = '' } = await client.send(
          new StartPipelineExecutionCommand({ name: pipelineName }),
        );
        const run = await waitForRun(client, pipelineName, pipelineExecutionId, settings.pollMs);
        if (!measured) continue;
        polls += run.polls;
        if (run.status !== 'Succeeded') {
          fail(`${run.status}: ${run.statusSummary ?? ''}`);
          continue;
        }
        latencyMs.push(performance.now() - started);
        measuredIds.push(pipelineExecutionId);
      } catch (error) {
        if (measured) fail((error as Error).message);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: settings.concurrency }, oneClient));
  } finally {
    timers.forEach(clearTimeout);
  }
  cpu ??= window?.end();
  if (cpu === undefined) throw new Error('the measured window never started');
  return {
    latencyMs,
    serverRunMs: await serverRunTimes(client, pipelineName, new Set(measuredIds)),
    failures,
    failureSamples,
    pollsPerSecond: (polls * 1000) / settings.durationMs,
    elapsedMs: settings.durationMs,
    cpu,
  };
}

/** startTime to lastUpdateTime of each run in `ids`, paging back until all are found. */
async function serverRunTimes(
  client: CodePipelineClient,
  pipelineName: string,
  ids: Set<string>,
): Promise<number[]> {
  const times: number[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListPipelineExecutionsCommand({
        pipelineName,
        maxResults: 100,
        ...(nextToken === undefined ? {} : { nextToken }),
      }),
    );
    for (const summary of page.pipelineExecutionSummaries ?? []) {
      const { pipelineExecutionId = '', startTime, lastUpdateTime } = summary;
      if (!ids.has(pipelineExecutionId) || !startTime || !lastUpdateTime) continue;
      times.push(lastUpdateTime.getTime() - startTime.getTime());
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined && times.length < ids.size);
  return times;
}
