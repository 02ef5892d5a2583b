/**
 * The git source over https and ssh, against real servers on loopback: `git http-backend`
 * behind Node's https with a CA made for the test and Basic auth, and OpenSSH's sshd with a
 * test host key and client key. Lockstep trusts them only through its operator settings
 * (LOCKSTEP_GIT_CA_FILE, _CREDENTIALS_FILE, _SSH_KEY_FILE, _KNOWN_HOSTS_FILE); every refusal
 * (untrusted certificate, changed host key, refused credentials, no host, no branch) fails
 * the source action with a message naming the repository and the cause, and no secret.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreatePipelineCommand,
  ListPipelineExecutionsCommand,
  type ActionDeclaration,
} from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitSourceError } from '../../src/providers/git-source/git-source-error.js';
import { latestCommit } from '../../src/providers/git-source/latest-commit.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import {
  actionLog,
  commandsAction,
  createConnection,
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
import { startGitHttpsServer, type GitHttpsServer } from './support/git-https-server.js';
import {
  makeSshKey,
  sshUnavailable,
  startGitSshServer,
  type GitSshServer,
} from './support/git-ssh-server.js';
import { closedPort, isolatedEnv, runLockstep } from './support/lockstep-cli.js';
import { OPENSSL_MISSING, makeTestCertificates } from './support/test-certificates.js';

const SSH_MISSING = sshUnavailable();
if (OPENSSL_MISSING) console.warn(`git-remote-sources: https tests skipped: ${OPENSSL_MISSING}`);
if (SSH_MISSING) console.warn(`git-remote-sources: ssh tests skipped: ${SSH_MISSING}`);

const TOKEN = 'glpat-lockstep-test-token-1';
const WRONG_TOKEN = 'glpat-lockstep-wrong-token-2';
const REPOSITORY = 'acme/app';

let scratch: string;
let repo: GitRepo;
let head: string;
let t: TestServer;
/** Lets Lockstep in with TOKEN, which its credentials file holds for this host. */
let https: GitHttpsServer;
/** Wants another password than the one Lockstep's credentials file holds for it. */
let httpsRefusing: GitHttpsServer;
/** A certificate no CA Lockstep trusts has signed. */
let httpsUntrusted: GitHttpsServer;
let credentialsFile: string;
let ssh: GitSshServer;
/** The sshd port whose known-hosts line holds another key than sshd's. */
let sshImpostorPort: number;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'lockstep-git-remote-'));
  const projectRoot = path.join(scratch, 'repos');
  repo = await createGitRepo(projectRoot, REPOSITORY);
  head = await repo.commit({ 'app.txt': 'v1\n' }, 'First version');
  const env: Record<string, string> = { LOCKSTEP_SOURCE_POLL_SECONDS: '1' };
  if (!OPENSSL_MISSING) Object.assign(env, await startHttpsServers(projectRoot));
  if (!SSH_MISSING) Object.assign(env, await startSshServer());
  // The role the execution helpers' pipelines name, which CreatePipeline checks exists.
  t = await startTestServer({ env, pipelineRoles: [v2Pipeline('role', []).roleArn!] });
});

afterAll(async () => {
  await t?.stop();
  await Promise.all([https, httpsRefusing, httpsUntrusted].map((server) => server?.close()));
  await ssh?.stop();
  if (t) await rm(t.dataDir, { recursive: true, force: true });
  if (scratch) await rm(scratch, { recursive: true, force: true });
  // Change detection polls in the background; a failure there would only show here.
  expect(t?.loggedErrors ?? []).toEqual([]);
});

/** Three https git servers and the operator settings that trust the first two. */
async function startHttpsServers(projectRoot: string): Promise<Record<string, string>> {
  const dir = path.join(scratch, 'tls');
  await mkdir(dir);
  const certs = await makeTestCertificates(dir);
  const basicAuth = (password: string) => ({ username: 'deploy', password });
  https = await startGitHttpsServer({ projectRoot, ...certs.server, basicAuth: basicAuth(TOKEN) });
  httpsRefusing = await startGitHttpsServer({
    projectRoot,
    ...certs.server,
    basicAuth: basicAuth(TOKEN),
  });
  httpsUntrusted = await startGitHttpsServer({ projectRoot, ...certs.untrusted });
  credentialsFile = path.join(scratch, 'git-credentials');
  await writeFile(
    credentialsFile,
    `https://deploy:${TOKEN}@127.0.0.1:${https.port}\n` +
      `https://deploy:${WRONG_TOKEN}@127.0.0.1:${httpsRefusing.port}\n`,
    { mode: 0o600 },
  );
  return { LOCKSTEP_GIT_CA_FILE: certs.caFile, LOCKSTEP_GIT_CREDENTIALS_FILE: credentialsFile };
}

/** sshd on two ports, and known hosts that hold its key for the first, another for the second. */
async function startSshServer(): Promise<Record<string, string>> {
  const dir = path.join(scratch, 'ssh');
  await mkdir(dir, { mode: 0o700 });
  ssh = await startGitSshServer(dir, 2);
  const [port, impostorPort] = ssh.ports as [number, number];
  sshImpostorPort = impostorPort;
  const otherKey = await makeSshKey(path.join(dir, 'other_host_ed25519'));
  const knownHosts = path.join(dir, 'known_hosts');
  await writeFile(
    knownHosts,
    `${ssh.knownHostsLine(port)}\n${ssh.knownHostsLine(impostorPort, otherKey.publicKey)}\n`,
  );
  return {
    LOCKSTEP_GIT_SSH_KEY_FILE: ssh.clientKey.privateKeyFile,
    LOCKSTEP_GIT_KNOWN_HOSTS_FILE: knownHosts,
  };
}

const sshEndpoint = (port: number, user = ssh.user) =>
  `ssh://${user}@127.0.0.1:${port}${path.join(scratch, 'repos')}`;

/** A pipeline whose source reads `branch` under `endpoint`, then a check of the files. */
async function startRun(
  endpoint: string,
  options: { branch?: string; format?: string; detectChanges?: boolean; check?: string } = {},
) {
  const name = unique('remote');
  const source: ActionDeclaration = gitSource(
    await createConnection({ url: t.server.url, dataDir: t.dataDir }, endpoint),
    REPOSITORY,
  );
  source.configuration = {
    ...source.configuration,
    BranchName: options.branch ?? 'main',
    OutputArtifactFormat: options.format ?? 'CODE_ZIP',
    // Only the change-detection test polls: the others' repositories fail on purpose.
    DetectChanges: String(options.detectChanges ?? false),
  };
  const check = commandsAction('Check', [options.check ?? 'grep -qx v1 app.txt']);
  await t.client.send(
    new CreatePipelineCommand({
      pipeline: v2Pipeline(name, [
        ['Source', [source]],
        ['Build', [check]],
      ]),
    }),
  );
  return { name, id: await firstRun(t.client, name) };
}

/** Runs a pipeline to success; resolves with its source's output variables. */
async function fetchedVariables(endpoint: string, options: Parameters<typeof startRun>[1] = {}) {
  const { name, id } = await startRun(endpoint, options);
  await waitForStatus(t.client, name, id, 'Succeeded');
  const source = await waitForAction(t.client, name, id, 'Checkout', 'Succeeded');
  return { name, variables: source.output?.outputVariables ?? {} };
}

/** Runs a pipeline whose source must fail; resolves with the action's message and log. */
async function sourceFailure(endpoint: string, branch = 'main') {
  const { name, id } = await startRun(endpoint, { branch });
  const source = await waitForAction(t.client, name, id, 'Checkout', 'Failed');
  const message = source.output?.executionResult?.errorDetails?.message ?? '';
  const log = await actionLog(t.dataDir, name, id, source.actionExecutionId);
  return { message, log };
}

describe.skipIf(OPENSSL_MISSING)('git sources over https', () => {
  const url = (server: GitHttpsServer) => `${server.url}/${REPOSITORY}`;

  it('fetches over TLS verified against the operator CA, with the credentials file', async () => {
    const before = https.requests.length;
    const { variables } = await fetchedVariables(https.url);
    expect(variables).toMatchObject({ CommitId: head, BranchName: 'main' });
    // The fetch went through this server, let in by Basic auth with the operator's token.
    const seen = https.requests.slice(before);
    expect(seen).toContain(`POST /${REPOSITORY}/git-upload-pack deploy`);
    expect(seen.filter((r) => r.endsWith(' deploy')).length).toBeGreaterThan(1);
  });

  it('refuses a certificate the operator CA did not sign, and says so', async () => {
    const { message } = await sourceFailure(httpsUntrusted.url);
    expect(message).toMatch(
      new RegExp(
        `^The repository ${url(httpsUntrusted)} could not be read \\(branch main\\): ` +
          'the TLS certificate of the host is not trusted; give its CA with --git-ca-file: ' +
          `fatal: unable to access '${url(httpsUntrusted)}/': .*certificate`,
      ),
    );
    expect(httpsUntrusted.requests).toEqual([]);
  });

  it('names refused credentials without showing them, and leaves the credentials file as it was', async () => {
    const before = await readFile(credentialsFile, 'utf8');
    const { message, log } = await sourceFailure(httpsRefusing.url);
    expect(message).toBe(
      `The repository ${url(httpsRefusing)} could not be read (branch main): ` +
        "the host refused Lockstep's credentials (--git-ssh-key-file, --git-credentials-file): " +
        `fatal: Authentication failed for '${url(httpsRefusing)}/'`,
    );
    expect(httpsRefusing.requests).toContain(
      `GET /${REPOSITORY}/info/refs?service=git-upload-pack refused`,
    );
    for (const secret of [TOKEN, WRONG_TOKEN]) {
      expect(message).not.toContain(secret);
      expect(log).not.toContain(secret);
    }
    // git asks its credential helpers to erase a refused entry; the operator's file stays.
    expect(await readFile(credentialsFile, 'utf8')).toBe(before);
  });

  it('names an unreachable host and a missing branch', async () => {
    const closed = `https://127.0.0.1:${await closedPort()}`;
    const [unreachable, noBranch] = await Promise.all([
      sourceFailure(closed),
      sourceFailure(https.url, 'no-such-branch'),
    ]);
    expect(unreachable.message).toMatch(
      new RegExp(
        `^The repository ${closed}/${REPOSITORY} could not be read \\(branch main\\): ` +
          `the host could not be reached: fatal: unable to access '${closed}/${REPOSITORY}/': `,
      ),
    );
    expect(noBranch.message).toBe(`The branch no-such-branch does not exist in ${url(https)}.`);
  });
});

describe.skipIf(SSH_MISSING)('git sources over ssh', () => {
  it('clones with the operator key after checking the host key (CODEBUILD_CLONE_REF)', async () => {
    const { variables } = await fetchedVariables(sshEndpoint(ssh.ports[0]!), {
      format: 'CODEBUILD_CLONE_REF',
      check: 'test -d .git && grep -qx v1 app.txt',
    });
    expect(variables).toMatchObject({ CommitId: head, BranchName: 'main' });
    expect(ssh.log()).toContain(`Accepted publickey for ${ssh.user} from 127.0.0.1`);
  });

  it('refuses a host whose key is not the known one, and a host with no known key', async () => {
    const impostor = sshEndpoint(sshImpostorPort);
    // The known hosts name 127.0.0.1; the same sshd reached as localhost has no entry.
    const unknown = sshEndpoint(ssh.ports[0]!).replace('@127.0.0.1:', '@localhost:');
    const logins = () => ssh.log().split('Accepted publickey').length;
    const loginsBefore = logins();
    const [changed, unlisted] = await Promise.all([
      sourceFailure(impostor),
      sourceFailure(unknown),
    ]);
    expect(changed.message).toBe(
      `The repository ${impostor}/${REPOSITORY} could not be read (branch main): ` +
        'the ssh host key differs from the known one (--git-known-hosts-file): ' +
        'Host key verification failed.',
    );
    expect(unlisted.message).toBe(
      `The repository ${unknown}/${REPOSITORY} could not be read (branch main): ` +
        'the ssh host key is not in the known hosts (--git-known-hosts-file): ' +
        `No ED25519 host key is known for [localhost]:${ssh.ports[0]} and you have requested strict checking.`,
    );
    // Neither got as far as logging in.
    expect(logins()).toBe(loginsBefore);
  });

  it('names refused credentials, an unreachable host and a missing branch', async () => {
    const stranger = sshEndpoint(ssh.ports[0]!, 'lockstep-stranger');
    const closed = sshEndpoint(await closedPort());
    const [refused, unreachable, noBranch] = await Promise.all([
      sourceFailure(stranger),
      sourceFailure(closed),
      sourceFailure(sshEndpoint(ssh.ports[0]!), 'no-such-branch'),
    ]);
    expect(refused.message).toBe(
      `The repository ${stranger}/${REPOSITORY} could not be read (branch main): ` +
        "the host refused Lockstep's credentials (--git-ssh-key-file, --git-credentials-file): " +
        'lockstep-stranger@127.0.0.1: Permission denied (publickey).',
    );
    expect(unreachable.message).toMatch(
      new RegExp(
        `^The repository ${closed}/${REPOSITORY} could not be read \\(branch main\\): ` +
          'the host could not be reached: ssh: connect to host 127.0.0.1 port \\d+: Connection refused$',
      ),
    );
    expect(noBranch.message).toBe(
      `The branch no-such-branch does not exist in ${sshEndpoint(ssh.ports[0]!)}/${REPOSITORY}.`,
    );
  });
});

describe.skipIf(OPENSSL_MISSING || SSH_MISSING)('change detection over https and ssh', () => {
  it('starts a run on each transport when a commit lands on the branch', async () => {
    const watched = await Promise.all([
      fetchedVariables(https.url, { detectChanges: true }),
      fetchedVariables(sshEndpoint(ssh.ports[0]!), { detectChanges: true }),
    ]);
    // Give the detector one look at the current head before the push.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    head = await repo.commit({ 'change.txt': `${Date.now()}\n` }, 'A change');
    for (const { name } of watched) {
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
    }
  });
});

describe('a git host that accepts the connection and never answers', () => {
  let silent: Server;
  const held: Socket[] = [];

  beforeAll(async () => {
    silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it.each(['https', 'ssh'])(
    'times out over %s, and leaves no git or ssh process behind',
    async (scheme) => {
      const { port } = silent.address() as { port: number };
      const marker = unique('silent');
      const url = `${scheme}://${scheme === 'ssh' ? 'git@' : ''}127.0.0.1:${port}/${marker}`;
      const error = await latestCommit(url, 'main', { timeoutMs: 1500 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GitSourceError);
      expect((error as Error).message).toBe(
        `The repository ${url} could not be read (branch main): git did not finish in time (timed out)`,
      );
      // git leaves the network to git-remote-https or ssh; they die with it.
      expect(await processesWith(marker)).toEqual([]);
    },
  );
});

describe('lockstep serve refuses git settings it could not use', () => {
  it('by flag and by environment, with exit 2 and the option named', async () => {
    const dir = await mkdtemp(path.join(scratch, 'serve-'));
    const openKey = path.join(dir, 'id_ed25519');
    await writeFile(openKey, 'not even a key\n');
    await chmod(openKey, 0o644);
    const dataDir = path.join(dir, 'data');
    const serve = ['serve', '--data-dir', dataDir, '--port', '0'];
    const byFlag = await runLockstep([...serve, '--git-ssh-key-file', openKey]);
    expect(byFlag).toMatchObject({ code: 2, timedOut: false });
    expect(byFlag.stderr).toContain(
      `--git-ssh-key-file ${openKey} is readable by others (mode 644); ssh refuses such a key`,
    );
    const missing = path.join(dir, 'no-ca.pem');
    const byEnv = await runLockstep(serve, { env: isolatedEnv({ LOCKSTEP_GIT_CA_FILE: missing }) });
    expect(byEnv).toMatchObject({ code: 2, timedOut: false });
    expect(byEnv.stderr).toContain(`--git-ca-file ${missing} cannot be read (ENOENT)`);
    await expect(stat(dataDir)).rejects.toThrow(/ENOENT/);
  });
});
