/**
 * The commit a branch points at in a remote repository, by `git ls-remote`, without fetching
 * anything: cheap enough to poll for change detection, and the first step of every fetch,
 * where it tells a missing repository apart from a missing branch.
 */
import { checkConnectionEndpoint } from '../../connections/connection-endpoint.js';
import { explainGitFailure } from './git-failure.js';
import { GitSourceError } from './git-source-error.js';
import type { GitTransport } from './git-transport.js';
import type { ActionLogCipher } from '../../logs/sealed-log.js';
import { checkBranchName } from './ref-names.js';
import { GitCommandError, runGit } from './run-git.js';
import { SshKeyError } from './ssh-agent.js';

const DEFAULT_TIMEOUT_MS = 60_000;

/** The commit id at the tip of `branchName`; GitSourceError naming repository and branch. */
export async function latestCommit(
  repositoryUrl: string,
  branchName: string,
  options: {
    timeoutMs?: number;
    logFile?: string;
    logCipher?: ActionLogCipher;
    transport?: GitTransport;
    signal?: AbortSignal;
  } = {},
): Promise<string> {
  checkRepositoryUrl(repositoryUrl);
  await checkBranchName(branchName);
  const ref = `refs/heads/${branchName}`;
  let listing: string;
  try {
    listing = await runGit(['ls-remote', '--heads', '--', repositoryUrl, ref], {
      ...options,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
  } catch (error) {
    if (!(error instanceof GitCommandError || error instanceof SshKeyError)) throw error;
    const why = error instanceof GitCommandError ? explainGitFailure(error) : error.message;
    throw new GitSourceError(
      `The repository ${repositoryUrl} could not be read (branch ${branchName}): ${why}`,
      { cause: error },
    );
  }
  // ls-remote matches patterns by suffix (refs/heads/x/main matches main), so compare exactly.
  for (const line of listing.split('\n')) {
    const [commitId, name] = line.split('\t');
    if (name === ref && commitId) return commitId;
  }
  throw new GitSourceError(`The branch ${branchName} does not exist in ${repositoryUrl}.`);
}

/** Refuses a repository URL that is not file://, https:// or ssh://, or that holds credentials. */
export function checkRepositoryUrl(repositoryUrl: string): void {
  try {
    checkConnectionEndpoint(repositoryUrl);
  } catch (error) {
    throw new GitSourceError(`The repository URL is not valid: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
