/**
 * Branch names and commit ids that reach `git` come from pipeline declarations and
 * StartPipelineExecution overrides, so they are checked before git sees them: a name starting
 * with '-' would be read as an option (`--upload-pack=...` runs a command).
 */
import { GitSourceError } from './git-source-error.js';
import { GitCommandError, runGit } from './run-git.js';

/** Refuses a branch name git would not accept as `refs/heads/<name>`, or one starting with '-'. */
export async function checkBranchName(branchName: string): Promise<void> {
  if (branchName === '' || branchName.startsWith('-')) {
    throw new GitSourceError(`The branch name '${branchName}' is not valid.`);
  }
  try {
    await runGit(['check-ref-format', `refs/heads/${branchName}`], { timeoutMs: 10_000 });
  } catch (error) {
    if (!(error instanceof GitCommandError)) throw error;
    throw new GitSourceError(`The branch name '${branchName}' is not valid.`, { cause: error });
  }
}

/** Refuses anything but a (possibly abbreviated) hexadecimal commit id. */
export function checkCommitId(commitId: string): void {
  if (!/^[0-9a-f]{4,64}$/i.test(commitId)) {
    throw new GitSourceError(`The commit id '${commitId}' is not a hexadecimal commit id.`);
  }
}
