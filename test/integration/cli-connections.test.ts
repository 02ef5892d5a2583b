/**
 * `bin/lockstep connections ...` as a shell user runs it, against one real server process:
 * create prints the new connection as JSON, list and get find it, delete removes it, and
 * refusals name the AWS exception on stderr with exit code 1.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLockstep, type LockstepProcess } from '../support/lockstep-process.js';
import {
  closedPort,
  isolatedEnv,
  runLockstep,
  type CommandResult,
} from './support/lockstep-cli.js';

let server: LockstepProcess;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'lockstep-cli-conn-'));
  server = await startLockstep({ dataDir: path.join(scratch, 'data') });
});
afterAll(async () => {
  await server?.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** `lockstep connections ARGS` against the test server with its admin key. */
function connections(args: string[], endpointUrl = server.url): Promise<CommandResult> {
  return runLockstep(
    ['connections', ...args, '--endpoint-url', endpointUrl, '--data-dir', server.dataDir],
    { env: isolatedEnv() },
  );
}

function parsed<T>(result: CommandResult): T {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as T;
}

interface Connection {
  ConnectionArn: string;
  ConnectionName: string;
  ConnectionStatus: string;
  Endpoint: string;
  ProviderType: string;
  CreatedAt: string;
}

describe('lockstep connections', () => {
  it('creates, lists, gets and deletes a connection', async () => {
    const endpoint = `file://${scratch}/repos`;
    const created = parsed<Connection>(
      await connections(['create', '--name', 'cli-git', '--endpoint', endpoint]),
    );
    expect(created).toMatchObject({
      ConnectionName: 'cli-git',
      ProviderType: 'Git',
      ConnectionStatus: 'AVAILABLE',
      Endpoint: endpoint,
    });
    expect(created.ConnectionArn).toMatch(/^arn:aws:codeconnections:us-east-1:\d{12}:connection\//);
    expect(created.CreatedAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);

    const listed = parsed<{ Connections: Connection[] }>(await connections(['list']));
    expect(listed.Connections.map((c) => c.ConnectionArn)).toContain(created.ConnectionArn);
    const table = await connections(['list', '--output', 'table']);
    expect(table.stdout).toMatch(/^NAME\s+PROVIDER\s+STATUS\s+ENDPOINT\s+ARN\n/);
    expect(table.stdout).toContain(`cli-git  Git       AVAILABLE  ${endpoint}`);

    const got = parsed<{ Connection: Connection }>(
      await connections(['get', created.ConnectionArn]),
    );
    expect(got.Connection).toEqual(created);

    expect(parsed(await connections(['delete', created.ConnectionArn]))).toEqual({});
    const gone = await connections(['get', created.ConnectionArn]);
    expect(gone.stderr).toBe(
      `lockstep: ResourceNotFoundException: Connection ${created.ConnectionArn} does not exist.\n`,
    );
    expect(gone.code).toBe(1);
  });

  it('names the exception for a bad endpoint and a taken name', async () => {
    const bad = await connections(['create', '--name', 'x', '--endpoint', 'git://host/srv']);
    expect(bad.stderr).toMatch(/^lockstep: InvalidInputException: .*scheme 'git'/);
    expect(bad.code).toBe(1);
    const args = ['create', '--name', 'taken', '--endpoint', 'https://git.example.com'];
    parsed(await connections([...args, '--provider-type', 'GitHub']));
    const again = await connections(args);
    expect(again.stderr).toMatch(/^lockstep: ResourceAlreadyExistsException: /);
    expect(again.code).toBe(1);
  });

  it('refuses an unknown provider type before sending anything', async () => {
    const result = await connections([
      'create',
      '--name',
      'y',
      '--endpoint',
      'https://h.example.com',
      '--provider-type',
      'Gitea',
    ]);
    expect(result.stderr).toContain("argument 'Gitea' is invalid");
    expect(result.code).toBe(2);
  });

  it('says when no server listens at the endpoint', async () => {
    const result = await connections(['list'], `http://127.0.0.1:${await closedPort()}`);
    expect(result.stderr).toMatch(/ECONNREFUSED.*is 'lockstep serve' running there\?/);
    expect(result.code).toBe(1);
  });
});
