/**
 * A connection's https token kept in Secrets Manager: the connection names the secret's ARN,
 * the source action reads it as the pipeline role when it runs, git sends it to that host only,
 * and it appears in no log or file. A role that may not read the secret fails the source with
 * the reason; a secret on a file endpoint or from another account is refused up front (ssh
 * keys: git-ssh-connection-keys.test.ts).
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreatePipelineCommand } from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockstepClient } from '../../src/cli/lockstep-client.js';
import { awsAnyServiceCli, type AwsCli } from '../e2e/support/run-client.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import { PIPELINE_ROLE_ARN } from '../support/pipeline-role.js';
import {
  commandsAction,
  createGitRepo,
  firstRun,
  gitSource,
  unique,
  v2Pipeline,
  waitForAction,
  waitForStatus,
} from './executions/support.js';
import { startGitHttpsServer, type GitHttpsServer } from './support/git-https-server.js';
import { OPENSSL_MISSING, makeTestCertificates } from './support/test-certificates.js';

if (OPENSSL_MISSING) console.warn(`connection-credentials: skipped: ${OPENSSL_MISSING}`);

const REPOSITORY = 'acme/app';
// Not credential-shaped: only the run's own redaction hides it.
const TOKEN = 'conn-token-6Hq2Lw9Rt4Zx';
const ACCOUNT = '123456789012';
const READER_ROLE = PIPELINE_ROLE_ARN;
const OUTSIDER_ROLE = `arn:aws:iam::${ACCOUNT}:role/outsider`;

let scratch: string;
let t: TestServer;
let https: GitHttpsServer;
let cli: AwsCli;
let secretArn: string;

describe.skipIf(OPENSSL_MISSING)('connection credentials from Secrets Manager', () => {
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'lockstep-conn-secret-'));
    const projectRoot = path.join(scratch, 'repos');
    const repo = await createGitRepo(projectRoot, REPOSITORY);
    await repo.commit({ 'app.txt': 'v1\n' }, 'First version');
    await mkdir(path.join(scratch, 'tls'));
    const certs = await makeTestCertificates(path.join(scratch, 'tls'));
    // GitLab's user name for a bare token over https.
    const basicAuth = { username: 'oauth2', password: TOKEN };
    https = await startGitHttpsServer({ projectRoot, ...certs.server, basicAuth });
    t = await startTestServer({
      env: { LOCKSTEP_GIT_CA_FILE: certs.caFile },
      pipelineRoles: [READER_ROLE, OUTSIDER_ROLE],
    });
    cli = awsAnyServiceCli('aws', t.server, path.join(t.dataDir, 'credentials'));
    const created = await cli.json<{ ARN: string }>(
      ...['secretsmanager', 'create-secret', '--name', 'gitlab-token', '--secret-string', TOKEN],
    );
    secretArn = created.ARN;
    await cli.json(
      ...['iam', 'put-role-policy', '--role-name', 'pipeline', '--policy-name', 'read-token'],
      '--policy-document',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn },
        ],
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
    await https?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  async function createConnection(input: Record<string, string>) {
    return lockstepClient({ endpointUrl: t.server.url, dataDir: t.dataDir }).call<{
      ConnectionArn: string;
    }>('CreateConnection', { ConnectionName: unique('gitlab'), ProviderType: 'GitLab', ...input });
  }

  async function runSource(roleArn: string) {
    const { ConnectionArn } = await createConnection({
      Endpoint: https.url,
      CredentialsSecretArn: secretArn,
    });
    const name = unique('private');
    const pipeline = v2Pipeline(name, [
      ['Source', [{ ...gitSource(ConnectionArn, REPOSITORY), roleArn }]],
      ['Build', [commandsAction('Check', ['grep -qx v1 app.txt'])]],
    ]);
    await t.client.send(new CreatePipelineCommand({ pipeline }));
    return { name, id: await firstRun(t.client, name) };
  }

  it('fetches with the token read as the pipeline role', async () => {
    const before = https.requests.length;
    const { name, id } = await runSource(READER_ROLE);
    await waitForStatus(t.client, name, id, 'Succeeded');
    expect(https.requests.slice(before)).toContain(`POST /${REPOSITORY}/git-upload-pack oauth2`);
  });

  it('fails the source when its role may not read the secret, naming why', async () => {
    const { name, id } = await runSource(OUTSIDER_ROLE);
    const source = await waitForAction(t.client, name, id, 'Checkout', 'Failed');
    const message = source.output?.executionResult?.errorDetails?.message ?? '';
    expect(message).toContain('assumed-role/outsider/');
    expect(message).toContain('secretsmanager:GetSecretValue');
    expect(message).not.toContain(TOKEN);
  });

  it('refuses a secret for a file endpoint or from another account', async () => {
    const local = createConnection({
      Endpoint: 'file:///srv/git',
      CredentialsSecretArn: secretArn,
    });
    await expect(local).rejects.toThrow(/applies to https:\/\/ and ssh:\/\/ endpoints/);
    const foreign = createConnection({
      Endpoint: https.url,
      CredentialsSecretArn: secretArn.replace(ACCOUNT, '999999999999'),
    });
    await expect(foreign).rejects.toThrow(/a secret in this account and region/);
  });

  it('keeps the token out of every file of the data directory', async () => {
    const entries = await readdir(t.dataDir, { withFileTypes: true, recursive: true });
    const files = entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
    for (const file of files) {
      expect((await readFile(file)).includes(TOKEN), file).toBe(false);
    }
  });
});
