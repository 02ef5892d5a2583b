/**
 * The `Build/AWS/CodeBuild` and `Test/AWS/CodeBuild` actions. The buildspec is that of the
 * project registered under `ProjectName` when it sets one (inline or a path in the source), else
 * the primary input's `buildspec.yml`; an unregistered ProjectName is only a label. The primary
 * input is extracted to `src/` in a fresh workspace (the commands' working directory and
 * CODEBUILD_SRC_DIR), other inputs to `sources/<name>`, and the phases run in the sandbox in one
 * bash session.
 */
import path from 'node:path';
import type { ArtifactRef } from '../../engine/execution-state.js';
import { withoutCredentialsNote } from '../../jobs/action-credentials.js';
import type { JobOutcome } from '../../jobs/job-data.js';
import { appendToLog } from '../../sandbox/line-log.js';
import { sandboxWorkspacePath } from '../../sandbox/sandbox-workspace-path.js';
import type { BuiltInProvider, ProviderContext } from '../built-in-provider.js';
import { runRedactor } from '../run-redactor.js';
import { planBuildArtifacts, storeBuildArtifacts } from './build-artifacts.js';
import type { Buildspec } from './buildspec.js';
import { CodeBuildConfigurationError } from './codebuild-configuration-error.js';
import { codeBuildEnvironment } from './codebuild-environment.js';
import { readBuildspec, readProjectBuildspec } from './read-buildspec.js';
import { projectBuildspec } from '../../codebuild/project-service.js';
import { runBuildspec } from './run-buildspec.js';

/** Where the primary input goes, relative to the workspace. */
const SOURCE_DIR = 'src';
/** Where the other inputs go, each under its artifact name. */
const SECONDARY_SOURCES_DIR = 'sources';

/** The CodeBuild provider. */
export const codeBuildProvider: BuiltInProvider = {
  actionTypeKeys: ['Build/AWS/CodeBuild/1', 'Test/AWS/CodeBuild/1'],
  run: runCodeBuild,
};

async function runCodeBuild(ctx: ProviderContext): Promise<JobOutcome> {
  try {
    return await build(ctx);
  } catch (error) {
    if (!(error instanceof CodeBuildConfigurationError)) throw error;
    return { status: 'Failed', errorCode: 'ConfigurationError', message: error.message };
  }
}

/** The input CodePipeline calls the primary source: `PrimarySource`, or the only/first input. */
function primaryInput(ctx: ProviderContext): ArtifactRef {
  const { inputs } = ctx.payload;
  const named = ctx.payload.action.configuration?.PrimarySource;
  const primary = named ? inputs.find((input) => input.name === named) : inputs[0];
  if (primary) return primary;
  throw new CodeBuildConfigurationError(
    named
      ? `PrimarySource ${named} is not one of the action's input artifacts`
      : 'A CodeBuild action needs an input artifact holding the source and its buildspec.yml',
  );
}

async function build(ctx: ProviderContext): Promise<JobOutcome> {
  const config = ctx.payload.action.configuration ?? {};
  if (config.BatchEnabled === 'true') {
    throw new CodeBuildConfigurationError(
      'Batch builds (BatchEnabled) are not supported by Lockstep yet',
    );
  }
  const primary = primaryInput(ctx);
  const sourceDir = path.join(ctx.workspaceDir, SOURCE_DIR);
  await ctx.artifacts.extractTo(primary, sourceDir);
  const { fileName, buildspec } = await chooseBuildspec(
    ctx,
    config.ProjectName,
    sourceDir,
    primary,
  );
  const outputNames = (ctx.payload.action.outputArtifacts ?? []).map((output) => output.name);
  const plan = planBuildArtifacts(outputNames, buildspec);
  // CodeBuild's build ids are `<project>:<uuid>`; the action execution id stands in for the uuid.
  const { actionExecutionId } = ctx.payload.jobData.pipelineContext.action;
  const buildId = `${config.ProjectName ?? ctx.payload.action.name}:${actionExecutionId}`;
  const credentials = await ctx.actionCredentials?.();
  const { secrets } = ctx;
  const environment = await codeBuildEnvironment({
    builtIn: { ...(await builtInVariables(ctx, primary, buildId)), ...credentials?.environment },
    buildspec: buildspec.variables,
    buildspecSecrets: buildspec.secretsManager,
    actionVariables: config.EnvironmentVariables,
    resolveSecret: secrets && ((path) => secrets.resolvePath(path)),
  });
  await logPreamble(ctx, fileName, primary.name, buildspec);
  const result = await runBuildspec({
    workspaceDir: ctx.workspaceDir,
    sourceDir: SOURCE_DIR,
    buildspec,
    environment,
    logFile: ctx.logFile,
    ...(ctx.logCipher ? { logCipher: ctx.logCipher } : {}),
    redactor: runRedactor(ctx),
    timeoutMs: ctx.remainingMs(),
    signal: ctx.signal,
  });
  const summary =
    (result.warning ? `${result.summary} ${result.warning}` : result.summary) +
    (credentials ? withoutCredentialsNote(credentials) : '');
  if (!result.succeeded) return buildFailed(summary, buildId);
  const stored = await storeBuildArtifacts(ctx, plan, sourceDir);
  if (!stored.ok) return buildFailed(stored.message, buildId);
  return {
    status: 'Succeeded',
    outputArtifacts: stored.artifacts,
    outputVariables: result.outputVariables,
    summary,
    externalExecutionId: buildId,
  };
}

/** The registered project's buildspec when it sets one (CodeBuild's rule), else the source's. */
async function chooseBuildspec(
  ctx: ProviderContext,
  projectName: string | undefined,
  sourceDir: string,
  primary: ArtifactRef,
): Promise<{ fileName: string; buildspec: Buildspec }> {
  const project = projectName ? await ctx.codeBuildProjects?.get(projectName) : undefined;
  const setting = project && projectBuildspec(project);
  return project && setting
    ? readProjectBuildspec(sourceDir, primary.name, project.name, setting)
    : readBuildspec(sourceDir, primary.name);
}

function buildFailed(message: string, buildId: string): JobOutcome {
  return { status: 'Failed', errorCode: 'JobFailed', message, externalExecutionId: buildId };
}

/** Extracts the secondary inputs and returns the CODEBUILD_* variables CodeBuild would set. */
async function builtInVariables(
  ctx: ProviderContext,
  primary: ArtifactRef,
  buildId: string,
): Promise<Record<string, string>> {
  // The paths the commands see: under /workspace inside bubblewrap, the host path without it.
  const root = await sandboxWorkspacePath(ctx.workspaceDir);
  const variables: Record<string, string> = {
    CODEBUILD_SRC_DIR: path.join(root, SOURCE_DIR),
    CODEBUILD_BUILD_ID: buildId,
    CODEBUILD_BUILD_SUCCEEDING: '1',
    CODEBUILD_INITIATOR: `codepipeline/${ctx.payload.jobData.pipelineContext.pipelineName}`,
    ...(primary.revision ? { CODEBUILD_RESOLVED_SOURCE_VERSION: primary.revision } : {}),
  };
  for (const input of ctx.payload.inputs) {
    if (input === primary) continue;
    const relative = path.join(SECONDARY_SOURCES_DIR, input.name);
    await ctx.artifacts.extractTo(input, path.join(ctx.workspaceDir, relative));
    variables[`CODEBUILD_SRC_DIR_${input.name}`] = path.join(root, relative);
  }
  return variables;
}

/** Says in the log which buildspec runs, and which of its keys Lockstep does not honour. */
async function logPreamble(
  ctx: ProviderContext,
  fileName: string,
  input: string,
  buildspec: Buildspec,
) {
  const lines = [
    `[Container] Using ${fileName} from input artifact ${input}`,
    ...buildspec.ignored.map((key) => `[Container] Lockstep ignores ${key} in ${fileName}`),
  ];
  await appendToLog(ctx.logFile, lines.join('\n'), ctx.redactor, ctx.logCipher);
}
