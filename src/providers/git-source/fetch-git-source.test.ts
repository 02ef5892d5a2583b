/**
 * The git source fetch against real repositories made with the real `git` in temp dirs and
 * served over file:// URLs: both output formats, the output variables, overrides, refusals.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchGitSource, type GitSourceInput } from './fetch-git-source.js';
import { GitSourceError } from './git-source-error.js';
import { latestCommit } from './latest-commit.js';

let scratch: string;
let url: string;
const commits: Record<string, string> = {};

/** git in `cwd` with a fixed identity and dates, isolated from the developer's config. */
function git(cwd: string, args: string[], date = '2026-11-21T09:30:00Z'): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Ada Lovelace',
      GIT_AUTHOR_EMAIL: 'ada@example.com',
      GIT_COMMITTER_NAME: 'Ada Lovelace',
      GIT_COMMITTER_EMAIL: 'ada@example.com',
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    },
  }).trim();
}

async function commit(repo: string, file: string, text: string, message: string, date?: string) {
  await writeFile(path.join(repo, file), text);
  git(repo, ['add', '--', file]);
  git(repo, ['commit', '--quiet', '-m', message], date);
  return git(repo, ['rev-parse', 'HEAD']);
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'lockstep-git-source-'));
  const repo = path.join(scratch, 'repos', 'team', 'app');
  git(scratch, ['init', '--quiet', '-b', 'main', repo]);
  commits.first = await commit(repo, 'README.md', 'one\n', 'First commit');
  commits.second = await commit(
    repo,
    'README.md',
    'two\n',
    'Second commit\n\nWith a body\nover two lines.',
    '2026-11-22T10:00:05+02:00',
  );
  git(repo, ['checkout', '--quiet', '-b', 'feature/x']);
  commits.feature = await commit(repo, 'feature.txt', 'f\n', 'Feature work');
  git(repo, ['checkout', '--quiet', 'main']);
  git(repo, ['tag', 'v1', commits.first]);
  // ls-remote matches its pattern refs/heads/gone against this ref's tail.
  git(repo, ['branch', 'mirror/refs/heads/gone', commits.first]);
  url = `file://${repo}`;
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

async function fetch(overrides: Partial<GitSourceInput> = {}) {
  const workDir = await mkdtemp(path.join(scratch, 'work-'));
  return fetchGitSource({
    repositoryUrl: url,
    branchName: 'main',
    outputArtifactFormat: 'CODE_ZIP',
    workDir,
    timeoutMs: 30_000,
    ...overrides,
  });
}

async function refusal(call: Promise<unknown>): Promise<GitSourceError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GitSourceError);
  return error as GitSourceError;
}

describe('fetchGitSource', () => {
  it('CODE_ZIP: the tip of the branch without .git, and the output variables', async () => {
    const logFile = path.join(scratch, 'zip.log');
    const source = await fetch({ logFile });
    expect(await readdir(source.outputDir)).toEqual(['README.md']);
    expect(await readFile(path.join(source.outputDir, 'README.md'), 'utf8')).toBe('two\n');
    expect(source).toMatchObject({
      commitId: commits.second,
      commitMessage: 'Second commit\n\nWith a body\nover two lines.',
      authorDate: '2026-11-22T08:00:05Z',
      authorName: 'Ada Lovelace',
      branchName: 'main',
    });
    expect(await readFile(logFile, 'utf8')).toContain('$ git ls-remote --heads -- file://');
  });

  it('CODEBUILD_CLONE_REF: a full clone with .git, on the branch, at the commit', async () => {
    const source = await fetch({ outputArtifactFormat: 'CODEBUILD_CLONE_REF' });
    const repo = source.outputDir;
    expect(git(repo, ['rev-parse', 'HEAD'])).toBe(commits.second);
    expect(git(repo, ['symbolic-ref', '--short', 'HEAD'])).toBe('main');
    expect(git(repo, ['rev-parse', 'origin/feature/x'])).toBe(commits.feature);
    expect(git(repo, ['rev-parse', '--abbrev-ref', 'main@{upstream}'])).toBe('origin/main');
    expect(git(repo, ['tag', '--list'])).toBe('v1');
    expect(git(repo, ['rev-list', '--count', 'HEAD'])).toBe('2');
    expect(git(repo, ['status', '--porcelain'])).toBe('');
    expect(git(repo, ['config', 'remote.origin.url'])).toBe(url);
  });

  it('a commit override checks out that commit, in both formats', async () => {
    const zip = await fetch({ commitId: commits.first });
    expect(zip.commitId).toBe(commits.first);
    expect(zip.commitMessage).toBe('First commit');
    expect(await readFile(path.join(zip.outputDir, 'README.md'), 'utf8')).toBe('one\n');
    expect(existsSync(path.join(zip.outputDir, '.git'))).toBe(false);
    const clone = await fetch({
      commitId: commits.first!.slice(0, 10),
      outputArtifactFormat: 'CODEBUILD_CLONE_REF',
    });
    expect(clone.commitId).toBe(commits.first);
    expect(git(clone.outputDir, ['rev-parse', 'HEAD'])).toBe(commits.first);
  });

  it('refuses an override commit that is not on the branch', async () => {
    for (const format of ['CODE_ZIP', 'CODEBUILD_CLONE_REF'] as const) {
      const error = await refusal(
        fetch({ commitId: commits.feature, outputArtifactFormat: format }),
      );
      expect(error.message).toBe(`The commit ${commits.feature} is not on branch main of ${url}.`);
    }
    const error = await refusal(fetch({ commitId: 'deadbeef' }));
    expect(error.message).toContain('is not on branch main');
  });

  it('fetches a branch with a slash in its name', async () => {
    const source = await fetch({ branchName: 'feature/x' });
    expect(source.commitId).toBe(commits.feature);
    expect((await readdir(source.outputDir)).sort()).toEqual(['README.md', 'feature.txt']);
  });

  it('names the repository and branch when the branch does not exist, and leaves nothing', async () => {
    const workDir = await mkdtemp(path.join(scratch, 'work-'));
    const error = await refusal(
      fetchGitSource({
        repositoryUrl: url,
        branchName: 'nope',
        outputArtifactFormat: 'CODE_ZIP',
        workDir,
        timeoutMs: 30_000,
      }),
    );
    expect(error.message).toBe(`The branch nope does not exist in ${url}.`);
    expect(await readdir(workDir)).toEqual([]);
  });

  it('names the repository when it does not exist', async () => {
    const missing = `file://${scratch}/repos/team/missing`;
    const error = await refusal(fetch({ repositoryUrl: missing }));
    expect(error.message).toMatch(
      new RegExp(
        `^The repository ${missing} could not be read \\(branch main\\): ` +
          'there is no such repository: fatal: .* does not appear to be a git repository$',
      ),
    );
  });

  it.each([
    '--upload-pack=touch /tmp/pwned',
    '--upload-pack=touch',
    '-b',
    'a..b',
    'x y',
    'refs/../main',
    '',
  ])('refuses the branch name %j before git sees it as an option', async (branchName) => {
    const error = await refusal(fetch({ branchName }));
    expect(error.message).toBe(`The branch name '${branchName}' is not valid.`);
  });

  it('refuses a commit id that is not hexadecimal, and a URL git would run a command for', async () => {
    expect((await refusal(fetch({ commitId: '--output=/tmp/x' }))).message).toContain(
      'is not a hexadecimal commit id',
    );
    const ext = await refusal(fetch({ repositoryUrl: 'ext::sh -c touch% /tmp/pwned' }));
    expect(ext.message).toContain("scheme 'ext' is not file, https or ssh");
  });

  it('fails with a timeout when git cannot finish in time', async () => {
    const error = await refusal(fetch({ timeoutMs: 1 }));
    // Which git command the limit catches depends on the machine's speed; each says so.
    expect([
      `The repository ${url} could not be read (branch main): git did not finish in time (timed out)`,
      `Fetching branch main of ${url} failed: git did not finish in time (timed out)`,
    ]).toContain(error.message);
  });
});

describe('latestCommit', () => {
  it('is the tip of the branch, matched exactly', async () => {
    expect(await latestCommit(url, 'main')).toBe(commits.second);
    expect(await latestCommit(url, 'feature/x')).toBe(commits.feature);
    expect((await refusal(latestCommit(url, 'gone'))).message).toBe(
      `The branch gone does not exist in ${url}.`,
    );
  });
});
