/**
 * The `Compute/AWS/Commands` action: its input artifacts extracted into a fresh workspace (the
 * first as the working directory, others under `.inputs/<name>`, named in
 * CODEBUILD_SRC_DIR_<name> as CodeBuild does), its commands run in the sandbox, its declared
 * outputVariables exported and its outputArtifacts[].files stored.
 */
import path from 'node:path';
import { sandboxWorkspacePath } from '../../sandbox/sandbox-workspace-path.js';
import { withoutCredentialsNote } from '../../jobs/action-credentials.js';
import type { JobOutcome } from '../../jobs/job-data.js';
import type { ArtifactRef } from '../../engine/execution-state.js';
import type { BuiltInProvider, ProviderContext } from '../built-in-provider.js';
import { runCommandsAction } from './run-commands-action.js';

const BASE_PATH = '/usr/local/bin:/usr/bin:/bin';

/** The Commands provider. */
export const commandsProvider: BuiltInProvider = {
  actionTypeKeys: ['Compute/AWS/Commands/1'],
  run: runCommands,
};

async function runCommands(ctx: ProviderContext): Promise<JobOutcome> {
  const { action } = ctx.payload;
  const secret = (action.environmentVariables ?? []).find((v) => v.type === 'SECRETS_MANAGER');
  if (secret) {
    return configurationError(
      `Environment variable ${secret.name} is of type SECRETS_MANAGER, which needs the secret store this version of Lockstep does not have yet.`,
    );
  }
  // The path the commands see: /workspace inside bubblewrap, the host path without it.
  const root = await sandboxWorkspacePath(ctx.workspaceDir);
  const environment = await extractInputs(ctx, root);
  for (const variable of action.environmentVariables ?? [])
    environment[variable.name] = variable.value;
  // The session wins over a declared AWS_* variable, as CodeBuild's own credentials do.
  const credentials = await ctx.actionCredentials?.();
  Object.assign(environment, credentials?.environment);
  const result = await runCommandsAction({
    workspaceDir: ctx.workspaceDir,
    commands: action.commands ?? [],
    environment,
    outputVariables: action.outputVariables ?? [],
    logFile: ctx.logFile,
    timeoutMs: ctx.remainingMs(),
    signal: ctx.signal,
  });
  const summary =
    (result.warning ? `${result.summary} ${result.warning}` : result.summary) +
    (credentials ? withoutCredentialsNote(credentials) : '');
  if (!result.succeeded) return { status: 'Failed', errorCode: 'JobFailed', message: summary };
  return {
    status: 'Succeeded',
    outputArtifacts: await storeOutputs(ctx),
    outputVariables: result.outputVariables,
    summary,
  };
}

/** Extracts the inputs and returns the CodeBuild-style variables that locate them. */
async function extractInputs(ctx: ProviderContext, root: string): Promise<Record<string, string>> {
  const environment: Record<string, string> = {
    PATH: BASE_PATH,
    CODEBUILD_SRC_DIR: root,
    CODEPIPELINE_PIPELINE_NAME: ctx.payload.jobData.pipelineContext.pipelineName,
    CODEPIPELINE_PIPELINE_EXECUTION_ID: ctx.payload.jobData.pipelineContext.pipelineExecutionId,
  };
  for (const [index, input] of ctx.payload.inputs.entries()) {
    const relative = index === 0 ? '.' : path.join('.inputs', input.name);
    await ctx.artifacts.extractTo(input, path.join(ctx.workspaceDir, relative));
    environment[`CODEBUILD_SRC_DIR_${input.name}`] = path.join(root, relative);
  }
  return environment;
}

async function storeOutputs(ctx: ProviderContext): Promise<ArtifactRef[]> {
  const outputs: ArtifactRef[] = [];
  for (const output of ctx.payload.action.outputArtifacts ?? []) {
    const stored = await ctx.artifacts.putDirectory(ctx.outputKey(output.name), ctx.workspaceDir, {
      files: output.files ?? ['**/*'],
    });
    outputs.push({ name: output.name, ...stored });
  }
  return outputs;
}

function configurationError(message: string): JobOutcome {
  return { status: 'Failed', errorCode: 'ConfigurationError', message };
}
