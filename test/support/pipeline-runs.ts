/**
 * Helpers for tests that run pipelines on an in-process server: a real git repository behind
 * a real connection, and polling until a condition holds.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  GetPipelineExecutionCommand,
  type ActionDeclaration,
  type CodePipelineClient,
} from '@aws-sdk/client-codepipeline';
import { lockstepClient } from '../../src/cli/lockstep-client.js';
import type { TestServer } from './in-process-server.js';

export interface GitSource {
  root: string;
  repo: string;
  connectionArn: string;
  /** Commits a file with `content` and returns the commit id. */
  commit(file: string, content: string, message: string): Promise<string>;
}

/** A repository `app` under a fresh directory, and a connection to that directory. */
export async function gitSource(t: TestServer): Promise<GitSource> {
  const root = await mkdtemp(path.join(tmpdir(), 'lockstep-git-'));
  const repo = path.join(root, 'app');
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  const git = (...args: string[]) =>
    execFileSync('git', [
      '-C',
      repo,
      '-c',
      'user.name=T',
      '-c',
      'user.email=t@example.com',
      ...args,
    ])
      .toString()
      .trim();
  const commit = async (file: string, content: string, message: string) => {
    await writeFile(path.join(repo, file), content);
    git('add', '.');
    git('commit', '-qm', message);
    return git('rev-parse', 'HEAD');
  };
  await commit('README', 'app\n', 'first');
  const client = lockstepClient({ endpointUrl: t.server.url, dataDir: t.dataDir });
  const created = await client.call<{ ConnectionArn: string }>('CreateConnection', {
    ConnectionName: `local-${path.basename(root)}`,
    ProviderType: 'Git',
    Endpoint: `file://${root}`,
  });
  return { root, repo, connectionArn: created.ConnectionArn, commit };
}

/** The source action of a pipeline reading `app`'s main branch. */
export function gitSourceAction(source: GitSource, namespace?: string): ActionDeclaration {
  return {
    name: 'Src',
    actionTypeId: {
      category: 'Source',
      owner: 'AWS',
      provider: 'CodeStarSourceConnection',
      version: '1',
    },
    configuration: {
      ConnectionArn: source.connectionArn,
      FullRepositoryId: 'app',
      BranchName: 'main',
    },
    outputArtifacts: [{ name: 'Code' }],
    ...(namespace ? { namespace } : {}),
  };
}

/** Polls until `check` passes, or fails with its last error after `timeoutMs`. */
export async function eventually(check: () => Promise<void>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** An execution's status. */
export async function executionStatus(
  client: CodePipelineClient,
  pipelineName: string,
  pipelineExecutionId: string,
): Promise<string | undefined> {
  const out = await client.send(
    new GetPipelineExecutionCommand({ pipelineName, pipelineExecutionId }),
  );
  return out.pipelineExecution?.status;
}
