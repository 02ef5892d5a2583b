/**
 * A connection's own ssh key kept in Secrets Manager, against the real OpenSSH sshd on
 * loopback: the operator's key (--git-ssh-key-file) is one sshd refuses, so only the
 * connection's key, handed to a private ssh-agent through ssh-add's stdin, gets the source
 * action (and change detection) in. A key sshd refuses, one ssh-add refuses, one with a
 * passphrase and a secret that is no key fail with a message naming why and never the key;
 * the key's text is in no file under the data or temporary directories and in no action log.
 */
import { execFile } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CreatePipelineCommand, ListPipelineExecutionsCommand } from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockstepClient } from '../../src/cli/lockstep-client.js';
import { awsAnyServiceCli, type AwsCli } from '../e2e/support/run-client.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import { PIPELINE_ROLE_ARN } from '../support/pipeline-role.js';
import {
  actionLog,
  commandsAction,
  createGitRepo,
  firstRun,
  gitSource,
  processesWith,
  unique,
  v2Pipeline,
  waitFor,
  waitForAction,
  waitForStatus,
  type GitRepo,
} from './executions/support.js';
import {
  makeSshKey,
  sshUnavailable,
  startGitSshServer,
  type GitSshServer,
} from './support/git-ssh-server.js';

const run = promisify(execFile);
const SSH_MISSING = sshUnavailable();
if (SSH_MISSING) console.warn(`git-ssh-connection-keys: skipped: ${SSH_MISSING}`);

const REPOSITORY = 'acme/app';
const AGENT_DIR_PREFIX = 'lockstep-ssh-agent-';

let scratch: string;
let repo: GitRepo;
let head: string;
let ssh: GitSshServer;
let t: TestServer;
let cli: AwsCli;
/** The private keys the secrets hold, by name; in memory only once made. */
const keys: Record<string, { text: string; fingerprint: string }> = {};
/** Every source action log the tests produced, for the final look for key lines. */
const logs: string[] = [];

/** Keeps the private key in `file` in memory, by `name`, with its fingerprint; deletes the file. */
async function keepInMemory(name: string, file: string): Promise<void> {
  const { stdout } = await run('ssh-keygen', ['-l', '-f', `${file}.pub`]);
  const fingerprint = stdout.split(' ')[1];
  if (!fingerprint) throw new Error(`ssh-keygen -l printed no fingerprint for ${file}.pub`);
  keys[name] = { text: await readFile(file, 'utf8'), fingerprint };
  await rm(file);
}

/** Makes a key pair and keeps its private key in memory only. */
async function keyInMemory(name: string, keygenArgs: string[] = []): Promise<void> {
  const file = path.join(scratch, 'ssh', name);
  await run('ssh-keygen', ['-q', '-N', '', '-C', name, '-f', file, ...keygenArgs]);
  await keepInMemory(name, file);
}

/** The key's secret lines: its base64 body but the first line (a header all keys share). */
function secretLines(key: string): string[] {
  return key
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('-----'))
    .slice(1);
}

describe.skipIf(SSH_MISSING)('ssh connections with their own key from Secrets Manager', () => {
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'lockstep-ssh-conn-key-'));
    repo = await createGitRepo(path.join(scratch, 'repos'), REPOSITORY);
    head = await repo.commit({ 'app.txt': 'v1\n' }, 'First version');
    const dir = path.join(scratch, 'ssh');
    await mkdir(dir, { mode: 0o700 });
    ssh = await startGitSshServer(dir);
    // sshd accepts its own client key (made by the support) and an ECDSA key in PEM form.
    await keepInMemory('accepted', ssh.clientKey.privateKeyFile);
    await keyInMemory('pem_ecdsa', ['-t', 'ecdsa', '-m', 'PEM']);
    await appendFile(
      path.join(dir, 'authorized_keys'),
      await readFile(path.join(dir, 'pem_ecdsa.pub'), 'utf8'),
    );
    await keyInMemory('refused', ['-t', 'ed25519']);
    const operatorKey = await makeSshKey(path.join(dir, 'operator_ed25519'));
    const knownHosts = path.join(dir, 'known_hosts');
    await writeFile(knownHosts, `${ssh.knownHostsLine(ssh.ports[0]!)}\n`);
    t = await startTestServer({
      env: {
        LOCKSTEP_GIT_SSH_KEY_FILE: operatorKey.privateKeyFile,
        LOCKSTEP_GIT_KNOWN_HOSTS_FILE: knownHosts,
        LOCKSTEP_SOURCE_POLL_SECONDS: '1',
      },
      pipelineRoles: [PIPELINE_ROLE_ARN],
    });
    cli = awsAnyServiceCli('aws', t.server, path.join(t.dataDir, 'credentials'));
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
    await ssh?.stop();
    if (t) await rm(t.dataDir, { recursive: true, force: true });
    if (scratch) await rm(scratch, { recursive: true, force: true });
    // Change detection polls in the background; a failure there would only show here.
    expect(t?.loggedErrors ?? []).toEqual([]);
  });

  const endpoint = () =>
    `ssh://${ssh.user}@127.0.0.1:${ssh.ports[0]}${path.join(scratch, 'repos')}`;
  const repositoryUrl = () => `${endpoint()}/${REPOSITORY}`;

  /** A connection to the sshd whose secret holds `secretValue` (none when undefined). */
  async function connection(secretValue: string | undefined): Promise<string> {
    let secretArn: string | undefined;
    if (secretValue !== undefined) {
      const created = await cli.json<{ ARN: string }>(
        ...['secretsmanager', 'create-secret', '--name', unique('ssh-key')],
        ...['--secret-string', secretValue],
      );
      secretArn = created.ARN;
      await cli.json(
        ...['iam', 'put-role-policy', '--role-name', 'pipeline', '--policy-name', unique('read')],
        '--policy-document',
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn },
          ],
        }),
      );
    }
    const { ConnectionArn } = await lockstepClient({
      endpointUrl: t.server.url,
      dataDir: t.dataDir,
    }).call<{ ConnectionArn: string }>('CreateConnection', {
      ConnectionName: unique('ssh'),
      ProviderType: 'GitLabSelfManaged',
      Endpoint: endpoint(),
      ...(secretArn ? { CredentialsSecretArn: secretArn } : {}),
    });
    return ConnectionArn;
  }

  async function startRun(secretValue: string | undefined, detectChanges = false) {
    const source = gitSource(await connection(secretValue), REPOSITORY);
    source.configuration = { ...source.configuration, DetectChanges: String(detectChanges) };
    const name = unique('ssh-key');
    const pipeline = v2Pipeline(name, [
      ['Source', [source]],
      ['Build', [commandsAction('Check', ['grep -qx v1 app.txt'])]],
    ]);
    await t.client.send(new CreatePipelineCommand({ pipeline }));
    return { name, id: await firstRun(t.client, name) };
  }

  /** The source's failure message; `ranGit` when git ran (a key ssh-add refused stops before). */
  async function sourceFailure(secretValue: string | undefined, ranGit = true) {
    const { name, id } = await startRun(secretValue);
    const source = await waitForAction(t.client, name, id, 'Checkout', 'Failed');
    if (ranGit) logs.push(await actionLog(t.dataDir, name, id, source.actionExecutionId));
    return source.output?.executionResult?.errorDetails?.message ?? '';
  }

  it('fetches with the connection key (OpenSSH, bare) where the operator key is refused', async () => {
    const operatorOnly = await sourceFailure(undefined);
    expect(operatorOnly).toBe(
      `The repository ${repositoryUrl()} could not be read (branch main): ` +
        "the host refused Lockstep's credentials (--git-ssh-key-file, --git-credentials-file): " +
        `${ssh.user}@127.0.0.1: Permission denied (publickey).`,
    );
    const { name, id } = await startRun(keys.accepted!.text);
    await waitForStatus(t.client, name, id, 'Succeeded');
    expect(ssh.log()).toContain(`ED25519 ${keys.accepted!.fingerprint}`);
  });

  it('fetches with an ECDSA PEM key given as {"privateKey": ...}', async () => {
    const secret = JSON.stringify({ privateKey: keys.pem_ecdsa!.text });
    const { name, id } = await startRun(secret);
    await waitForStatus(t.client, name, id, 'Succeeded');
    // sshd's log lines end with \r\n.
    const accepted = ssh
      .log()
      .split(/\r?\n/)
      .filter((line) => line.startsWith('Accepted publickey'));
    expect(accepted).toContainEqual(expect.stringMatching(/ ssh2: ECDSA SHA256:/));
    expect(accepted.some((line) => line.endsWith(` ECDSA ${keys.pem_ecdsa!.fingerprint}`))).toBe(
      true,
    );
  });

  it('fails, naming the repository, when sshd refuses the connection key', async () => {
    const message = await sourceFailure(keys.refused!.text);
    expect(message).toBe(
      `The repository ${repositoryUrl()} could not be read (branch main): ` +
        "the host refused Lockstep's credentials (--git-ssh-key-file, --git-credentials-file): " +
        `${ssh.user}@127.0.0.1: Permission denied (publickey).`,
    );
  });

  it('fails clearly on a key ssh-add refuses, a passphrase, and a secret that is no key', async () => {
    const [body] = secretLines(keys.accepted!.text);
    const broken = `-----BEGIN OPENSSH PRIVATE KEY-----\n${body}\n-----END OPENSSH PRIVATE KEY-----\n`;
    const locked = path.join(scratch, 'ssh', 'locked');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'a passphrase', '-f', locked]);
    const lockedText = await readFile(locked, 'utf8');
    await rm(locked);
    const [refused, passphrase, notKey] = await Promise.all([
      sourceFailure(broken, false),
      sourceFailure(lockedText, false),
      sourceFailure('not-a-private-key-Zq81', false),
    ]);
    expect(refused).toMatch(
      new RegExp(
        `^The repository ${repositoryUrl()} could not be read \\(branch main\\): ` +
          "The connection's ssh key was refused by ssh-add \\([^)]+\\); " +
          'it must be an unencrypted OpenSSH or PEM private key\\.$',
      ),
    );
    expect(passphrase).toBe(
      `The repository ${repositoryUrl()} could not be read (branch main): ` +
        "The connection's ssh key is protected by a passphrase; store a key without one.",
    );
    expect(notKey).toBe(
      "The connection's credentials secret for an ssh endpoint does not hold a PEM private key " +
        '(OpenSSH, RSA or EC, from its BEGIN line to its END line).',
    );
    for (const message of [refused, passphrase, notKey]) {
      expect(message).not.toContain(body);
      expect(message).not.toContain('not-a-private-key-Zq81');
    }
  });

  it('detects changes with the connection key', async () => {
    const { name, id } = await startRun(keys.accepted!.text, true);
    await waitForStatus(t.client, name, id, 'Succeeded');
    // Give the detector one look at the current head before the push.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    head = await repo.commit({ 'change.txt': `${Date.now()}\n` }, 'A change');
    await waitFor(
      async () => {
        const { pipelineExecutionSummaries: [latest] = [] } = await t.client.send(
          new ListPipelineExecutionsCommand({ pipelineName: name }),
        );
        return (
          latest?.trigger?.triggerType === 'PollForSourceChanges' &&
          latest.sourceRevisions?.[0]?.revisionId === head &&
          latest.status === 'Succeeded'
        );
      },
      20_000,
      `a run of ${name} at ${head}`,
    );
  });

  it('leaves no key line in any file of the data and temporary directories, nor in a log', async () => {
    const lines = Object.values(keys).flatMap((key) => secretLines(key.text));
    expect(lines.length).toBeGreaterThan(6);
    // The data directory is under the temporary one; the agents' directories were there too.
    expect(t.dataDir.startsWith(tmpdir())).toBe(true);
    const grep = await run(
      'grep',
      ['-rlF', '-s', '--devices=skip', ...lines.flatMap((l) => ['-e', l]), tmpdir(), t.dataDir],
      { maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: { code?: number; stdout?: string }) => error);
    // grep exits 1 when nothing matched (and with -s, 2 only if some file vanished meanwhile).
    expect('stdout' in grep ? grep.stdout : '').toBe('');
    expect(logs.length).toBe(2);
    for (const log of logs) {
      for (const line of lines) expect(log).not.toContain(line);
      expect(log).not.toContain('PRIVATE KEY');
    }
    // Every agent goes with its git command, and its directory with it: change detection
    // still polls every second, so wait for a moment between two looks with none left over.
    await waitFor(
      async () =>
        (await processesWith(AGENT_DIR_PREFIX)).length === 0 &&
        (await readdir(tmpdir())).every((entry) => !entry.startsWith(AGENT_DIR_PREFIX)),
      10_000,
      'no ssh-agent left running, and no agent directory left',
    );
  }, 60_000);
});
