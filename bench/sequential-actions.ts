/**
 * Per-action wall time in a long sequential pipeline, from the server's own records. For each
 * run, ListActionExecutions gives every action's startTime (the engine's clock when it decided
 * to dispatch the action) and lastUpdateTime (its clock when it decided on the action's
 * outcome). The decision that records action i's outcome is the one that dispatches action
 * i + 1, with one timestamp, so these intervals tile the run from the source's end to the run's
 * end without gap or overlap: each is one full cycle of commit → claim → workspace → input
 * extraction → sandboxed process → result → next decision. The client's polling is not in it.
 */
import {
  CreatePipelineCommand,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  StartPipelineExecutionCommand,
  type CodePipelineClient,
  type PipelineDeclaration,
} from '@aws-sdk/client-codepipeline';
import type { CpuUsage } from './cpu-window.js';
import { SOURCE_STAGE } from './execution-pipelines.js';
import { waitForRun } from './run-waiter.js';

export interface SequentialResult {
  /** One wall time per Commands action of every measured run, in milliseconds. */
  actionWallMs: number[];
  /** Largest distance between one action's end and the next one's start (expected 0). */
  largestGapMs: number;
  /** Client-observed run times, StartPipelineExecution to the poll that saw the end. */
  runWallMs: number[];
  cpu: CpuUsage;
}

/**
 * Creates the pipeline, lets the run CreatePipeline starts finish (a warm-up), then runs it
 * `runs` times one after another inside a CPU window.
 */
export async function measureSequential(
  client: CodePipelineClient,
  pipeline: PipelineDeclaration,
  runs: number,
  pollMs: number,
  cpuWindow: () => { end(): CpuUsage },
): Promise<SequentialResult> {
  const pipelineName = pipeline.name ?? '';
  await client.send(new CreatePipelineCommand({ pipeline }));
  const listed = await client.send(new ListPipelineExecutionsCommand({ pipelineName }));
  const first = listed.pipelineExecutionSummaries?.[0]?.pipelineExecutionId;
  if (first === undefined) throw new Error(`CreatePipeline started no run of ${pipelineName}`);
  await expectSucceeded(client, pipelineName, first, pollMs);
  const ids: string[] = [];
  const runWallMs: number[] = [];
  const window = cpuWindow();
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const { pipelineExecutionId = '' } = await client.send(
      new StartPipelineExecutionCommand({ name: pipelineName }),
    );
    await expectSucceeded(client, pipelineName, pipelineExecutionId, pollMs);
    runWallMs.push(performance.now() - started);
    ids.push(pipelineExecutionId);
  }
  const cpu = window.end();
  const actionWallMs: number[] = [];
  let largestGapMs = 0;
  for (const id of ids) {
    const intervals = await actionIntervals(client, pipelineName, id);
    for (const [index, interval] of intervals.entries()) {
      actionWallMs.push(interval.endMs - interval.startMs);
      const next = intervals[index + 1];
      if (next) largestGapMs = Math.max(largestGapMs, Math.abs(next.startMs - interval.endMs));
    }
  }
  return { actionWallMs, largestGapMs, runWallMs, cpu };
}

async function expectSucceeded(
  client: CodePipelineClient,
  pipelineName: string,
  id: string,
  pollMs: number,
): Promise<void> {
  const run = await waitForRun(client, pipelineName, id, pollMs);
  if (run.status !== 'Succeeded') {
    throw new Error(`run ${id} of ${pipelineName} ended ${run.status}: ${run.statusSummary}`);
  }
}

/** The Commands actions of one run, in the order they ran. */
async function actionIntervals(client: CodePipelineClient, pipelineName: string, id: string) {
  const intervals: { startMs: number; endMs: number }[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListActionExecutionsCommand({
        pipelineName,
        filter: { pipelineExecutionId: id },
        ...(nextToken === undefined ? {} : { nextToken }),
      }),
    );
    for (const action of page.actionExecutionDetails ?? []) {
      if (action.stageName === SOURCE_STAGE) continue;
      if (action.status !== 'Succeeded' || !action.startTime || !action.lastUpdateTime) {
        throw new Error(`action ${action.actionName} of run ${id} is ${action.status}`);
      }
      intervals.push({
        startMs: action.startTime.getTime(),
        endMs: action.lastUpdateTime.getTime(),
      });
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return intervals.sort((a, b) => a.startMs - b.startMs);
}
