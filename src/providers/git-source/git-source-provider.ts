/**
 * The `Source/AWS/CodeStarSourceConnection` action: the connection names where the
 * repositories live, FullRepositoryId the repository under it and BranchName the branch; the
 * commit becomes the output artifact's revision and the source variables CodePipeline sets.
 */
import type { JobOutcome } from '../../jobs/job-data.js';
import type { BuiltInProvider, ProviderContext } from '../built-in-provider.js';
import { fetchGitSource } from './fetch-git-source.js';
import type { GitTransport } from './git-transport.js';
import { repositoryUrlFor } from './repository-url.js';

/** The git source provider, reaching https and ssh hosts with the operator's settings. */
export function gitSourceProvider(transport: GitTransport = {}): BuiltInProvider {
  return {
    actionTypeKeys: ['Source/AWS/CodeStarSourceConnection/1'],
    run: (ctx) => runGitSource(ctx, transport),
  };
}

async function runGitSource(ctx: ProviderContext, transport: GitTransport): Promise<JobOutcome> {
  const config = ctx.payload.action.configuration ?? {};
  const connectionArn = config.ConnectionArn ?? '';
  const connection = await ctx.connections.get(connectionArn);
  if (!connection) {
    return configurationError(`Connection ${connectionArn} does not exist.`);
  }
  const output = ctx.payload.action.outputArtifacts?.[0];
  if (!output) return configurationError('The source action declares no output artifact.');
  const format =
    config.OutputArtifactFormat === 'CODEBUILD_CLONE_REF' ? 'CODEBUILD_CLONE_REF' : 'CODE_ZIP';
  const override = ctx.payload.sourceRevision;
  const source = await fetchGitSource({
    repositoryUrl: repositoryUrlFor(connection.endpoint, config.FullRepositoryId ?? ''),
    branchName: config.BranchName ?? '',
    ...(override?.revisionType === 'COMMIT_ID' ? { commitId: override.revisionValue } : {}),
    outputArtifactFormat: format,
    workDir: ctx.workspaceDir,
    timeoutMs: ctx.remainingMs(),
    logFile: ctx.logFile,
    transport,
    signal: ctx.signal,
  });
  const stored = await ctx.artifacts.putDirectory(ctx.outputKey(output.name), source.outputDir);
  return {
    status: 'Succeeded',
    outputArtifacts: [{ name: output.name, ...stored, revision: source.commitId }],
    outputVariables: {
      CommitId: source.commitId,
      BranchName: source.branchName,
      CommitMessage: source.commitMessage,
      AuthorDate: source.authorDate,
      AuthorDisplayName: source.authorName,
      ConnectionArn: connectionArn,
      FullRepositoryName: config.FullRepositoryId ?? '',
      ProviderType: connection.providerType,
    },
    summary: source.commitMessage.split('\n')[0] ?? '',
  };
}

function configurationError(message: string): JobOutcome {
  return { status: 'Failed', errorCode: 'ConfigurationError', message };
}
