/**
 * Connections through the real API: Lockstep's own operations (with an endpoint, AVAILABLE at
 * once) over a SigV4-signed JSON 1.1 client, and the AWS CodeConnections operations over the
 * real AWS CLI v1, both on one in-process server and one store.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockstepClient, type LockstepClient } from '../../src/cli/lockstep-client.js';
import { openStateStore } from '../../src/store/open-state-store.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import {
  createTestDatabase,
  reportPostgresSkipped,
  TEST_DATABASE_URL,
} from '../support/postgres.js';
import {
  clientEnv,
  everyOnPath,
  runClient,
  versionOf,
  type ClientResult,
} from '../e2e/support/run-client.js';

interface WireConnection {
  ConnectionName: string;
  ConnectionArn: string;
  ProviderType: string;
  OwnerAccountId: string;
  ConnectionStatus: string;
  Endpoint?: string;
  CreatedAt?: number;
}

const ARN = /^arn:aws:codeconnections:us-east-1:123456789012:connection\/[0-9a-f-]{36}$/;

const cliV1 = everyOnPath('aws').find((bin) => versionOf(bin)?.startsWith('aws-cli/1.'));

/** `aws codeconnections ...` (CLI v1) against a server, with its admin key and nothing else. */
function awsCodeConnections(url: string, credentialsFile: string) {
  const common = ['--endpoint-url', url, '--region', 'us-east-1', '--output', 'json'];
  const run = (...args: string[]): Promise<ClientResult> =>
    runClient(cliV1!, ['codeconnections', ...args, ...common], clientEnv(credentialsFile));
  return {
    run,
    json: async <T>(...args: string[]): Promise<T> => {
      const result = await run(...args);
      if (result.exitCode !== 0) throw new Error(`aws ${args.join(' ')}: ${result.stderr}`);
      return JSON.parse(result.stdout.trim() || '{}') as T;
    },
  };
}

/** The error a call failed with, or a failure if it succeeded. */
async function failure(call: Promise<unknown>): Promise<Error & { $metadata?: unknown }> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

reportPostgresSkipped('connections');

const engines = [
  { engine: 'sqlite', database: () => Promise.resolve(undefined) },
  ...(TEST_DATABASE_URL ? [{ engine: 'postgres', database: createTestDatabase }] : []),
];

describe.each(engines)('connections, Lockstep API on $engine', ({ database }) => {
  let t: TestServer;
  let lockstep: LockstepClient;
  let drop: (() => Promise<void>) | undefined;
  const create = (name: string, endpoint: string, providerType = 'Git') =>
    lockstep.call<WireConnection>('CreateConnection', {
      ConnectionName: name,
      ProviderType: providerType,
      Endpoint: endpoint,
    });
  const get = (arn: string) =>
    lockstep.call<{ Connection: WireConnection }>('GetConnection', { ConnectionArn: arn });

  beforeAll(async () => {
    const db = await database();
    drop = db ? () => db.drop() : undefined;
    t = await startTestServer({ databaseUrl: db?.url });
    lockstep = lockstepClient({ endpointUrl: t.server.url, dataDir: t.dataDir });
  });
  afterAll(async () => {
    await t?.stop();
    await drop?.();
  });

  it('creates an AVAILABLE connection and reads it back by either service prefix', async () => {
    const created = await create('local-git', 'file:///srv/git/');
    expect(created).toMatchObject({
      ConnectionName: 'local-git',
      ProviderType: 'Git',
      ConnectionStatus: 'AVAILABLE',
      Endpoint: 'file:///srv/git',
      OwnerAccountId: '123456789012',
    });
    expect(created.ConnectionArn).toMatch(ARN);
    expect(Math.abs(created.CreatedAt! - Date.now() / 1000)).toBeLessThan(60);
    expect((await get(created.ConnectionArn)).Connection).toEqual(created);
    const legacy = created.ConnectionArn.replace(':codeconnections:', ':codestar-connections:');
    expect((await get(legacy)).Connection.ConnectionArn).toBe(created.ConnectionArn);
  });

  it('refuses a second connection with the same name', async () => {
    await create('twice', 'https://git.example.com/');
    const error = await failure(create('twice', 'ssh://git@git.example.com/'));
    expect(error.name).toBe('ResourceAlreadyExistsException');
    expect(error.message).toContain("'twice'");
  });

  it('answers ResourceNotFoundException for an unknown ARN, on get and on delete', async () => {
    const unknown = 'arn:aws:codeconnections:us-east-1:123456789012:connection/nope';
    expect((await failure(get(unknown))).name).toBe('ResourceNotFoundException');
    const deleted = lockstep.call('DeleteConnection', { ConnectionArn: unknown });
    expect((await failure(deleted)).name).toBe('ResourceNotFoundException');
  });

  it.each([
    ['git://host/srv', "scheme 'git'"],
    ['http://git.example.com', "scheme 'http'"],
    ['ext::sh -c touch% /tmp/pwned', "scheme 'ext'"],
    ['not a url', 'not a URL'],
    ['https://user:s3cret@git.example.com', 'credentials'],
    ['https://ghp_token@github.com', 'credentials'],
    ['file://otherhost/srv/git', 'local path'],
    ['https://git.example.com/?x=1', 'query'],
  ])('refuses the endpoint %s', async (endpoint, why) => {
    const error = await failure(create(`bad-${Math.random().toString(36).slice(2, 10)}`, endpoint));
    expect(error.name).toBe('InvalidInputException');
    expect(error.message).toContain(why);
    expect(error.message).not.toContain('s3cret');
  });

  it('refuses a provider type outside the model and repeated tag keys', async () => {
    expect((await failure(create('gitea', 'https://gitea.example.com', 'Gitea'))).name).toBe(
      'ValidationException',
    );
    const tags = [
      { Key: 'team', Value: 'a' },
      { Key: 'team', Value: 'b' },
    ];
    const error = await failure(
      lockstep.call('CreateConnection', {
        ConnectionName: 'tagged',
        ProviderType: 'GitHub',
        Endpoint: 'https://github.com',
        Tags: tags,
      }),
    );
    expect(error.name).toBe('InvalidInputException');
  });

  it('lists in name order, pages, filters by provider type, and deletes for good', async () => {
    const made = [];
    for (const name of ['page-c', 'page-a', 'page-b']) {
      made.push(await create(name, 'ssh://git@example.com/repos', 'GitLab'));
    }
    const list = (input: object) =>
      lockstep.call<{ Connections: WireConnection[]; NextToken?: string }>('ListConnections', {
        ProviderTypeFilter: 'GitLab',
        ...input,
      });
    const first = await list({ MaxResults: 2 });
    expect(first.Connections.map((c) => c.ConnectionName)).toEqual(['page-a', 'page-b']);
    const second = await list({ MaxResults: 2, NextToken: first.NextToken });
    expect(second.Connections.map((c) => c.ConnectionName)).toEqual(['page-c']);
    expect(second.NextToken).toBeUndefined();
    expect((await failure(list({ NextToken: 'forged' }))).name).toBe('InvalidInputException');

    const victim = made[0]!;
    expect(
      await lockstep.call('DeleteConnection', { ConnectionArn: victim.ConnectionArn }),
    ).toEqual({});
    expect((await failure(get(victim.ConnectionArn))).name).toBe('ResourceNotFoundException');
    const again = await create('page-c', 'ssh://git@example.com/repos', 'GitLab');
    expect(again.ConnectionArn).not.toBe(victim.ConnectionArn);
  });
});

describe.skipIf(cliV1 === undefined)('connections, AWS CodeConnections API (AWS CLI v1)', () => {
  let t: TestServer;
  beforeAll(async () => (t = await startTestServer()));
  afterAll(() => t.stop());

  it('creates a PENDING connection, reads, lists and deletes it', async () => {
    const aws = awsCodeConnections(t.server.url, path.join(t.dataDir, 'credentials'));
    const created = await aws.json<{ ConnectionArn: string; Tags?: unknown }>(
      'create-connection',
      '--provider-type',
      'GitHub',
      '--connection-name',
      'from-aws-cli',
      '--tags',
      'Key=team,Value=web',
    );
    expect(created.ConnectionArn).toMatch(ARN);
    expect(created.Tags).toEqual([{ Key: 'team', Value: 'web' }]);
    const got = await aws.json<{ Connection: WireConnection }>(
      'get-connection',
      '--connection-arn',
      created.ConnectionArn,
    );
    expect(got.Connection).toEqual({
      ConnectionName: 'from-aws-cli',
      ConnectionArn: created.ConnectionArn,
      ProviderType: 'GitHub',
      OwnerAccountId: '123456789012',
      ConnectionStatus: 'PENDING',
    });
    const listed = await aws.json<{ Connections: WireConnection[] }>('list-connections');
    expect(listed.Connections.map((c) => c.ConnectionName)).toContain('from-aws-cli');
    await aws.json('delete-connection', '--connection-arn', created.ConnectionArn);
    const gone = await aws.run('get-connection', '--connection-arn', created.ConnectionArn);
    expect(gone.stderr).toContain('(ResourceNotFoundException)');
    expect(gone.exitCode).toBe(255);
  });

  it('refuses a duplicate name and a host ARN with the model’s exception names', async () => {
    const aws = awsCodeConnections(t.server.url, path.join(t.dataDir, 'credentials'));
    const args = ['create-connection', '--provider-type', 'GitLab', '--connection-name', 'dup'];
    expect((await aws.run(...args)).exitCode).toBe(0);
    expect((await aws.run(...args)).stderr).toContain('(ResourceAlreadyExistsException)');
    const host = 'arn:aws:codeconnections:us-east-1:123456789012:host/abc-123';
    const withHost = await aws.run(
      'create-connection',
      '--connection-name',
      'h',
      '--host-arn',
      host,
    );
    expect(withHost.stderr).toContain('(ResourceUnavailableException)');
  });
});

describe('connections, audit trail', () => {
  it('keeps a refused endpoint’s credentials out of the audit trail', async () => {
    const t = await startTestServer();
    const client = lockstepClient({ endpointUrl: t.server.url, dataDir: t.dataDir });
    const call = client.call('CreateConnection', {
      ConnectionName: 'leaky',
      ProviderType: 'Git',
      Endpoint: 'https://bob:hunter2@git.example.com/',
    });
    expect((await failure(call)).name).toBe('InvalidInputException');
    await t.stop();
    const store = await openStateStore({ dataDir: t.dataDir });
    const records = await store.listAudit(0, 100);
    await store.close();
    const record = records.find((r) => r.eventName === 'CreateConnection');
    expect(record?.errorCode).toBe('InvalidInputException');
    expect(record?.requestParametersJson).toContain('***@git.example.com');
    expect(JSON.stringify(records)).not.toContain('hunter2');
  });
});
