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
import { parseSshKeySecret } from './ssh-agent.js';

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
  const credentials = connection.credentialsSecretArn
    ? await connectionCredentials(ctx, connection.credentialsSecretArn, connection)
    : {};
  const source = await fetchGitSource({
    repositoryUrl: repositoryUrlFor(connection.endpoint, config.FullRepositoryId ?? ''),
    branchName: config.BranchName ?? '',
    ...(override?.revisionType === 'COMMIT_ID' ? { commitId: override.revisionValue } : {}),
    outputArtifactFormat: format,
    workDir: ctx.workspaceDir,
    timeoutMs: ctx.remainingMs(),
    logFile: ctx.logFile,
    ...(ctx.logCipher ? { logCipher: ctx.logCipher } : {}),
    transport: { ...transport, ...credentials },
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

/**
 * The credentials in a connection's secret, read as the source action's role (through its
 * SecretResolver, so the run's redactor hides the value).
 */
async function connectionCredentials(
  ctx: ProviderContext,
  secretArn: string,
  connection: { endpoint: string; providerType: string },
): Promise<ConnectionCredentials> {
  if (ctx.secrets === undefined) {
    throw new Error(`The connection's credentials secret ${secretArn} cannot be read here`);
  }
  return credentialsFromSecret(await ctx.secrets.resolvePath(secretArn), connection);
}

/** What a connection's secret adds to the operator's transport. */
export type ConnectionCredentials = Pick<GitTransport, 'basicAuth' | 'sshPrivateKey'>;

/** An ssh endpoint's secret is its private key; any other's, its https credentials. */
export function credentialsFromSecret(
  value: string,
  connection: { endpoint: string; providerType: string },
): ConnectionCredentials {
  if (connection.endpoint.startsWith('ssh://')) {
    return { sshPrivateKey: parseSshKeySecret(value) };
  }
  return { basicAuth: parseConnectionSecret(value, connection.endpoint, connection.providerType) };
}

/**
 * What a connection's secret holds: a token alone (sent with the user name its host expects
 * for tokens), or `{"username": ..., "password": ...}`.
 */
export function parseConnectionSecret(
  value: string,
  endpoint: string,
  providerType: string,
): NonNullable<GitTransport['basicAuth']> {
  const url = endpoint.endsWith('/') ? endpoint : `${endpoint}/`;
  if (value.trimStart().startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new Error("The connection's credentials secret is not valid JSON");
    }
    const { username, password } = (parsed ?? {}) as Record<string, unknown>;
    if (typeof username !== 'string' || typeof password !== 'string') {
      throw new Error(
        'The connection\'s credentials secret must be a token or {"username", "password"}',
      );
    }
    return { url, username, password };
  }
  return { url, username: TOKEN_USER_NAMES[providerType] ?? 'git', password: value.trim() };
}

/** The user name each host pairs with a bare access token over https. */
const TOKEN_USER_NAMES: Readonly<Record<string, string>> = {
  GitHub: 'x-access-token',
  GitHubEnterpriseServer: 'x-access-token',
  GitLab: 'oauth2',
  GitLabSelfManaged: 'oauth2',
  Bitbucket: 'x-token-auth',
};
