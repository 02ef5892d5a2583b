/**
 * The `Invoke/AWS/CodePipeline` action: starts another pipeline of the account, with
 * variables and source revisions given as JSON in its configuration (CodePipeline's
 * PipelineInvoke action reference). The action succeeds once the other run has started; it
 * does not wait for it, as in CodePipeline.
 */
import type { JobOutcome } from '../../jobs/job-data.js';
import type { BuiltInProvider, ProviderContext } from '../built-in-provider.js';

export interface StartOtherPipeline {
  (request: {
    pipelineName: string;
    variables: { name: string; value: string }[];
    sourceRevisions: { actionName: string; revisionType: string; revisionValue: string }[];
    invokedBy: string;
  }): Promise<{ pipelineExecutionId: string }>;
}

/** The provider, starting runs through `start`. */
export function invokePipelineProvider(start: StartOtherPipeline): BuiltInProvider {
  return {
    actionTypeKeys: ['Invoke/AWS/CodePipeline/1'],
    run: (ctx) => invoke(ctx, start),
  };
}

async function invoke(ctx: ProviderContext, start: StartOtherPipeline): Promise<JobOutcome> {
  const config = ctx.payload.action.configuration ?? {};
  const pipelineName = config.PipelineName ?? '';
  let variables;
  let sourceRevisions;
  try {
    variables = parseList<{ name: string; value: string }>(config.Variables, 'Variables', [
      'name',
      'value',
    ]);
    sourceRevisions = parseList<{
      actionName: string;
      revisionType: string;
      revisionValue: string;
    }>(config.SourceRevisions, 'SourceRevisions', ['actionName', 'revisionType', 'revisionValue']);
  } catch (error) {
    return { status: 'Failed', errorCode: 'ConfigurationError', message: (error as Error).message };
  }
  const context = ctx.payload.jobData.pipelineContext;
  try {
    const started = await start({
      pipelineName,
      variables,
      sourceRevisions,
      invokedBy: `${context.pipelineArn}/${context.pipelineExecutionId}`,
    });
    return {
      status: 'Succeeded',
      outputArtifacts: [],
      outputVariables: { PipelineExecutionId: started.pipelineExecutionId },
      summary: `Started execution ${started.pipelineExecutionId} of pipeline ${pipelineName}.`,
      externalExecutionId: started.pipelineExecutionId,
    };
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'Error';
    return {
      status: 'Failed',
      errorCode: 'JobFailed',
      message: `Could not start pipeline ${pipelineName}: ${code}: ${(error as Error).message}`,
    };
  }
}

/** A JSON array of objects with string members `keys`, or [] when absent. */
function parseList<T>(raw: string | undefined, property: string, keys: string[]): T[] {
  if (raw === undefined || raw === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`Configuration ${property} is not valid JSON.`);
  }
  const valid =
    Array.isArray(parsed) &&
    parsed.every(
      (item) =>
        typeof item === 'object' &&
        item !== null &&
        keys.every((k) => typeof (item as Record<string, unknown>)[k] === 'string'),
    );
  if (!valid) {
    throw new Error(
      `Configuration ${property} must be a JSON array of objects with ${keys.join(', ')}.`,
    );
  }
  return parsed as T[];
}
