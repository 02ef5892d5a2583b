/**
 * The source the benchmark's pipelines read: a real git repository `bench/app` with one small
 * commit under a temp directory, and a Lockstep connection to that directory made through
 * Lockstep's own API, as test/support/pipeline-runs.ts does. The directory is removed at the
 * end, also on failure or Ctrl-C.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { lockstepClient } from '../src/cli/lockstep-client.js';
import { addCleanup } from './cleanup.js';

const run = promisify(execFile);

export interface GitConnection {
  connectionArn: string;
  /** The repository under the connection's endpoint: the source action's FullRepositoryId. */
  repositoryId: string;
  remove(): Promise<void>;
}

/** Creates the repository and a connection to it on the server at `endpointUrl`. */
export async function createGitConnection(
  endpointUrl: string,
  dataDir: string,
): Promise<GitConnection> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'lockstep-bench-git-'));
  const remove = addCleanup(() => rm(root, { recursive: true, force: true }));
  const repositoryId = 'bench/app';
  const dir = path.join(root, repositoryId);
  await mkdir(dir, { recursive: true });
  // No user or system git configuration: the commit must not depend on the machine.
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'Bench',
    GIT_AUTHOR_EMAIL: 'bench@example.com',
    GIT_COMMITTER_NAME: 'Bench',
    GIT_COMMITTER_EMAIL: 'bench@example.com',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
  };
  const git = (...args: string[]) => run('git', args, { cwd: dir, env });
  await git('init', '--quiet', '--initial-branch=main');
  await writeFile(path.join(dir, 'README'), 'a one-file repository for the benchmark\n');
  await git('add', '--all');
  await git('commit', '--quiet', '--no-gpg-sign', '-m', 'first');
  const created = await lockstepClient({ endpointUrl, dataDir }).call<{ ConnectionArn: string }>(
    'CreateConnection',
    {
      ConnectionName: `bench-${path.basename(root)}`,
      ProviderType: 'Git',
      Endpoint: `file://${root}`,
    },
  );
  return { connectionArn: created.ConnectionArn, repositoryId, remove };
}
