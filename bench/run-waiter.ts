/**
 * Waiting for a pipeline run to finish the way a client without events must: asking
 * GetPipelineExecution every few milliseconds. Each ask is a real signed call the server
 * answers, so it is counted; at high concurrency the polls are part of the load.
 */
import { GetPipelineExecutionCommand, type CodePipelineClient } from '@aws-sdk/client-codepipeline';

const FINISHED = new Set(['Succeeded', 'Failed', 'Stopped', 'Cancelled', 'Superseded']);

export interface FinishedRun {
  status: string;
  statusSummary: string | undefined;
  polls: number;
}

/** Polls every `pollMs` until the run has finished; throws after `timeoutMs`. */
export async function waitForRun(
  client: CodePipelineClient,
  pipelineName: string,
  pipelineExecutionId: string,
  pollMs: number,
  timeoutMs = 120_000,
): Promise<FinishedRun> {
  const deadline = performance.now() + timeoutMs;
  for (let polls = 1; ; polls++) {
    const { pipelineExecution } = await client.send(
      new GetPipelineExecutionCommand({ pipelineName, pipelineExecutionId }),
    );
    const status = pipelineExecution?.status ?? '';
    if (FINISHED.has(status)) {
      return { status, statusSummary: pipelineExecution?.statusSummary, polls };
    }
    if (performance.now() > deadline) {
      throw new Error(`run ${pipelineExecutionId} of ${pipelineName} is still ${status}`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
