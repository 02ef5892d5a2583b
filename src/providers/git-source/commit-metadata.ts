/**
 * What CodePipeline tells later actions about a source commit: its id, message, author and
 * author date (the CodeStarSourceConnection output variables), read from a local repository.
 */
import { runGit, type RunGitOptions } from './run-git.js';

export interface CommitMetadata {
  commitId: string;
  commitMessage: string;
  /** UTC, ISO 8601 to the second (`2026-11-21T09:30:00Z`). */
  authorDate: string;
  authorName: string;
}

/** Reads a commit's metadata from the repository in `cwd`. */
export async function readCommitMetadata(
  cwd: string,
  commitId: string,
  options: Omit<RunGitOptions, 'cwd'>,
): Promise<CommitMetadata> {
  // NUL between fields: the one byte a commit message cannot contain.
  const out = await runGit(
    ['log', '-1', '--no-show-signature', '--format=%H%x00%an%x00%at%x00%B', commitId, '--'],
    { cwd, ...options },
  );
  const [id = '', authorName = '', authorSeconds = '0', message = ''] = out.split('\0');
  return {
    commitId: id,
    // %B ends with the newline git adds; the message itself keeps its inner newlines.
    commitMessage: message.replace(/\n+$/, ''),
    authorDate: new Date(Number(authorSeconds) * 1000).toISOString().replace('.000Z', 'Z'),
    authorName,
  };
}
