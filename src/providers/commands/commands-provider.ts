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
import { runRedactor } from '../run-redactor.js';
import { runCommandsAction, writeCommandsScript } from './run-commands-action.js';

const BASE_PATH = '/usr/local/bin:/usr/bin:/bin';

/** The Commands provider. */
export const commandsProvider: BuiltInProvider = {
  actionTypeKeys: ['Compute/AWS/Commands/1'],
  run: runCommands,
};

async function runCommands(ctx: ProviderContext): Promise<JobOutcome> {
  const { action } = ctx.payload;
  const unknown = (action.environmentVariables ?? []).find(
    (v) => v.type !== undefined && v.type !== 'PLAINTEXT' && v.type !== 'SECRETS_MANAGER',
  );
  if (unknown) {
    return configurationError(
      `Environment variable ${unknown.name} has type ${unknown.type}; Lockstep reads PLAINTEXT and SECRETS_MANAGER.`,
    );
  }
  // The path the commands see: /workspace inside bubblewrap, the host path without it.
  const root = await sandboxWorkspacePath(ctx.workspaceDir);
  // Independent: the inputs are extracted while the action's session is issued and the
  // commands' script is written. (On failure the job's workspace goes whole, script and all.)
  const [extracted, session, script] = await Promise.allSettled([
    extractInputs(ctx, root),
    ctx.actionCredentials?.(),
    writeCommandsScript(ctx.workspaceDir, action.commands ?? [], action.outputVariables ?? []),
  ]);
  if (extracted.status === 'rejected') throw extracted.reason;
  if (session.status === 'rejected') throw session.reason;
  if (script.status === 'rejected') throw script.reason;
  const environment = extracted.value;
  for (const variable of action.environmentVariables ?? []) {
    environment[variable.name] =
      variable.type === 'SECRETS_MANAGER' ? await readSecret(ctx, variable) : variable.value;
  }
  // The session wins over a declared AWS_* variable, as CodeBuild's own credentials do.
  const credentials = session.value;
  Object.assign(environment, credentials?.environment);
  const result = await runCommandsAction(
    {
      workspaceDir: ctx.workspaceDir,
      commands: action.commands ?? [],
      environment,
      outputVariables: action.outputVariables ?? [],
      logFile: ctx.logFile,
      ...(ctx.logCipher ? { logCipher: ctx.logCipher } : {}),
      redactor: runRedactor(ctx),
      timeoutMs: ctx.remainingMs(),
      // The job's workspace is removed whole once the action ends (jobs/built-in-workers.ts).
      workspaceDiscarded: (action.outputArtifacts ?? []).length === 0,
      signal: ctx.signal,
      onLaunched: () => ctx.processLaunched?.(),
    },
    script.value,
  );
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

/** A SECRETS_MANAGER variable's value, read with the action role's permission. */
async function readSecret(
  ctx: ProviderContext,
  variable: { name: string; value: string },
): Promise<string> {
  if (ctx.secrets === undefined) {
    throw new Error(
      `Environment variable ${variable.name} names a secret, and this action has no way to read secrets`,
    );
  }
  return ctx.secrets.resolvePath(variable.value);
}

function configurationError(message: string): JobOutcome {
  return { status: 'Failed', errorCode: 'ConfigurationError', message };
}
