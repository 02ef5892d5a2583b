/**
 * The CodeStarSourceConnection action's fetch: one branch (or one commit of it, for a
 * sourceRevisions override) of a git repository, as CODE_ZIP (the commit's files, no .git) or
 * CODEBUILD_CLONE_REF (a full clone checked out at the commit), with the commit's metadata for
 * the action's output variables.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ActionLogCipher } from '../../logs/sealed-log.js';
import { readCommitMetadata } from './commit-metadata.js';
import { explainGitFailure } from './git-failure.js';
import { GitSourceError } from './git-source-error.js';
import type { GitTransport } from './git-transport.js';
import { checkRepositoryUrl, latestCommit } from './latest-commit.js';
import { checkBranchName, checkCommitId } from './ref-names.js';
import { GitCommandError, runGit } from './run-git.js';

export interface GitSourceInput {
  repositoryUrl: string;
  branchName: string;
  /** A sourceRevisions override; it must be on the branch. */
  commitId?: string;
  outputArtifactFormat: 'CODE_ZIP' | 'CODEBUILD_CLONE_REF';
  /** An empty directory; the source goes into `<workDir>/source`. */
  workDir: string;
  timeoutMs: number;
  logFile?: string;
  /** Seals the log at rest; absent, it is written in clear. */
  logCipher?: ActionLogCipher;
  /** The operator's settings for https and ssh hosts. */
  transport?: GitTransport;
  /** Aborted when the action is stopped: git is killed. */
  signal?: AbortSignal;
}

export interface GitSource {
  outputDir: string;
  commitId: string;
  commitMessage: string;
  /** UTC, ISO 8601 to the second, as CodePipeline sets AuthorDate. */
  authorDate: string;
  authorName: string;
  branchName: string;
}

/** Fetches a branch or commit into `<workDir>/source`; GitSourceError when it cannot. */
export async function fetchGitSource(input: GitSourceInput): Promise<GitSource> {
  checkRepositoryUrl(input.repositoryUrl);
  await checkBranchName(input.branchName);
  if (input.commitId !== undefined) checkCommitId(input.commitId);
  const deadline = Date.now() + input.timeoutMs;
  const outputDir = path.join(input.workDir, 'source');
  const common = {
    logFile: input.logFile,
    logCipher: input.logCipher,
    transport: input.transport,
    signal: input.signal,
  };
  const git = (args: string[]) =>
    runGit(args, { ...common, cwd: outputDir, timeoutMs: deadline - Date.now() });
  // Asking first tells "no such repository" from "no such branch" in plain words.
  await latestCommit(input.repositoryUrl, input.branchName, {
    ...common,
    timeoutMs: deadline - Date.now(),
  });
  await mkdir(outputDir);
  try {
    const commitId = await fetchCommit(git, input);
    const metadata = await readCommitMetadata(outputDir, commitId, {
      ...common,
      timeoutMs: deadline - Date.now(),
    });
    // CODE_ZIP is the tree alone: no history, no remote URL, nothing git could act on later.
    if (input.outputArtifactFormat === 'CODE_ZIP') {
      await rm(path.join(outputDir, '.git'), { recursive: true, force: true });
    }
    return { outputDir, branchName: input.branchName, ...metadata };
  } catch (error) {
    await rm(outputDir, { recursive: true, force: true });
    if (error instanceof GitCommandError) {
      throw new GitSourceError(
        `Fetching branch ${input.branchName} of ${input.repositoryUrl} failed: ` +
          explainGitFailure(error),
        { cause: error },
      );
    }
    throw error;
  }
}

type Git = (args: string[]) => Promise<string>;

/** Fills the empty `source` directory and checks out the commit; resolves with its full id. */
async function fetchCommit(git: Git, input: GitSourceInput): Promise<string> {
  const branchRef = `refs/heads/${input.branchName}`;
  const trackingRef = `refs/remotes/origin/${input.branchName}`;
  await git(['init', '--quiet', '--template=', '.']);
  await git(['config', 'remote.origin.url', input.repositoryUrl]);
  if (input.outputArtifactFormat === 'CODEBUILD_CLONE_REF') {
    // A full clone, as CodeBuild's own: every branch and tag, with origin set up.
    await git(['config', 'remote.origin.fetch', '+refs/heads/*:refs/remotes/origin/*']);
    await git(['fetch', '--quiet', '--tags', 'origin']);
  } else {
    // The tip alone needs no history; an override needs the branch's to prove it is on it.
    const depth = input.commitId === undefined ? ['--depth', '1'] : [];
    await git([
      'fetch',
      '--quiet',
      '--no-tags',
      ...depth,
      'origin',
      `+${branchRef}:${trackingRef}`,
    ]);
  }
  const commitId = await resolveCommit(git, input, trackingRef);
  if (input.outputArtifactFormat === 'CODEBUILD_CLONE_REF') {
    await git(['checkout', '--quiet', '-B', input.branchName, commitId, '--']);
    await git(['branch', '--quiet', `--set-upstream-to=origin/${input.branchName}`]);
  } else {
    await git(['checkout', '--quiet', '--detach', commitId, '--']);
  }
  return commitId;
}

/** The branch tip, or the override commit once it is shown to be on the branch. */
async function resolveCommit(git: Git, input: GitSourceInput, trackingRef: string) {
  const tip = (await git(['rev-parse', '--verify', `${trackingRef}^{commit}`])).trim();
  if (input.commitId === undefined) return tip;
  const notOnBranch = new GitSourceError(
    `The commit ${input.commitId} is not on branch ${input.branchName} of ${input.repositoryUrl}.`,
  );
  let commitId: string;
  try {
    commitId = (
      await git([
        'rev-parse',
        '--verify',
        '--quiet',
        '--end-of-options',
        `${input.commitId}^{commit}`,
      ])
    ).trim();
  } catch (error) {
    if (error instanceof GitCommandError) throw notOnBranch;
    throw error;
  }
  // A commit reachable from another branch only must not be built as if it were this one's.
  try {
    await git(['merge-base', '--is-ancestor', commitId, tip]);
  } catch (error) {
    if (error instanceof GitCommandError) throw notOnBranch;
    throw error;
  }
  return commitId;
}
