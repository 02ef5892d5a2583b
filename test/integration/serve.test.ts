/**
 * `bin/lockstep serve` as an operator meets it: what the first start leaves on disk, what a
 * restart keeps, where secrets do not go, clean shutdown, the options it refuses, and TLS.
 * Every server here is a real process on a loopback port; `npm test` builds dist/ first.
 */
import { execFile, spawnSync } from 'node:child_process';
import { readFile, readdir, stat, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import {
  CreatePipelineCommand,
  GetPipelineCommand,
  ListPipelinesCommand,
  type CodePipelineClient,
  type PipelineDeclaration,
} from '@aws-sdk/client-codepipeline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, loadFixture } from '../e2e/support/pipeline-fixtures.js';
import { clientEnv, runClient } from '../e2e/support/run-client.js';
import { CODEPIPELINE_TRUST, createPipelineRole } from '../support/pipeline-role.js';
import {
  REPO_ROOT,
  startLockstep,
  type LockstepProcess,
  type StartOptions,
} from '../support/lockstep-process.js';
import {
  connectionRefused,
  runLockstep,
  sdkClient,
  startServeFromEnv,
  type EnvServer,
} from './support/lockstep-cli.js';

const FIXTURE = 'awscli-example__create-pipeline__MySecondPipeline.json';

const scratchDirs: string[] = [];
const running: (LockstepProcess | EnvServer)[] = [];

async function scratch(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lockstep-serve-test-'));
  scratchDirs.push(dir);
  return dir;
}

/** Starts a server that afterEach stops, unless the test did; stop() is safe to call twice. */
async function startTracked(options: StartOptions = {}): Promise<LockstepProcess> {
  // A data directory under scratch, so that afterAll removes it with the rest.
  const dataDir = options.dataDir ?? path.join(await scratch(), 'data');
  const server = await startLockstep({ ...options, dataDir });
  // test/support's stop() never resolves a second time for a process a signal killed.
  let stopped: Promise<number | null> | undefined;
  const once = { ...server, stop: () => (stopped ??= server.stop()) };
  running.push(once);
  return once;
}

/**
 * Starts a server and waits for its first /health answer. The "listening on" line comes out
 * before the server handles SIGTERM (see the shutdown test), but once it has answered a request
 * it does: the handlers are installed before its event loop next reads a socket.
 */
async function start(options: StartOptions = {}): Promise<LockstepProcess> {
  const server = await startTracked(options);
  if (server.url.startsWith('http:')) await getJson(`http://127.0.0.1:${server.port}/health`);
  return server;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
});
afterAll(async () => {
  await Promise.all(scratchDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

function fixturePipeline(name: string): PipelineDeclaration {
  return { ...loadFixture(FIXTURE).pipeline, name };
}

function clientFor(server: LockstepProcess): CodePipelineClient {
  return sdkClient(server.url, server.credentials, { region: server.region });
}

function mode(stats: { mode: number }): string {
  return (stats.mode & 0o777).toString(8);
}

/** Every regular file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** GETs a URL and resolves with the status and parsed JSON body. */
function getJson(
  url: string,
  options: https.RequestOptions = {},
): Promise<{ status: number; body: unknown }> {
  const get = url.startsWith('https:') ? https.get : http.get;
  return new Promise((resolve, reject) => {
    get(url, options, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    }).on('error', reject);
  });
}

describe('lockstep serve: first start and restart', () => {
  it('creates an owner-only data directory, root key and a credentials file, and answers /health', async () => {
    // A directory that does not exist yet, so that its mode is the server's doing.
    const dataDir = path.join(await scratch(), 'data');
    const server = await start({ dataDir });

    const credentials = await readFile(path.join(dataDir, 'credentials'), 'utf8');
    expect(credentials).toMatch(/^\[default\]$/m);
    expect(credentials).toMatch(/^aws_access_key_id\s*=\s*AKIA[A-Z2-7]{16}$/m);
    expect(credentials).toMatch(/^aws_secret_access_key\s*=\s*\S{40}$/m);
    expect(mode(await stat(path.join(dataDir, 'credentials')))).toBe('600');
    expect(mode(await stat(dataDir))).toBe('700');
    expect(mode(await stat(path.join(dataDir, 'keys')))).toBe('700');
    expect(mode(await stat(path.join(dataDir, 'keys', 'root.key')))).toBe('600');
    expect(server.log()).toContain('created the bootstrap administrator');

    const health = await getJson(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok' });
  });

  it('keeps the same credentials and the pipelines created before across a restart', async () => {
    const dataDir = path.join(await scratch(), 'data');
    const first = await start({ dataDir });
    const credentialsBefore = await readFile(path.join(dataDir, 'credentials'), 'utf8');
    await clientFor(first).send(
      new CreatePipelineCommand({ pipeline: fixturePipeline('Survivor') }),
    );
    expect(await first.stop()).toBe(0);

    const second = await start({ dataDir });
    expect(await readFile(path.join(dataDir, 'credentials'), 'utf8')).toBe(credentialsBefore);
    expect(second.log()).not.toContain('created the bootstrap administrator');
    // The key written by the first run still signs requests for the second.
    const client = sdkClient(second.url, first.credentials);
    const got = await client.send(new GetPipelineCommand({ name: 'Survivor' }));
    expect(got.pipeline?.name).toBe('Survivor');
    expect(got.pipeline?.stages?.map((s) => s.name)).toEqual(['Source', 'Beta']);
  });

  it('never stores the access-key secret in clear in the data directory', async () => {
    const dataDir = path.join(await scratch(), 'data');
    const server = await start({ dataDir });
    await clientFor(server).send(
      new CreatePipelineCommand({ pipeline: fixturePipeline('Sealed') }),
    );
    const { accessKeyId, secretAccessKey } = server.credentials;

    const scan = async (files: string[]) => {
      const dbFiles = ['state.db', 'state.db-wal', 'state.db-shm', 'state.db-journal']
        .map((name) => path.join(dataDir, name))
        .filter((file) => files.includes(file));
      const dbBytes = Buffer.concat(await Promise.all(dbFiles.map((f) => readFile(f))));
      // The key id is stored in clear: finding it proves these are the bytes that hold keys.
      expect(dbBytes.includes(accessKeyId)).toBe(true);
      expect(dbBytes.includes(secretAccessKey)).toBe(false);
      const others = files.filter((file) => file !== path.join(dataDir, 'credentials'));
      const holdingSecret = [];
      for (const file of others) {
        if ((await readFile(file)).includes(secretAccessKey)) holdingSecret.push(file);
      }
      expect(holdingSecret).toEqual([]);
    };
    // While running (recent writes sit in the WAL) and after shutdown (checkpointed).
    const whileRunning = await filesUnder(dataDir);
    expect(whileRunning).toContain(path.join(dataDir, 'state.db'));
    await scan(whileRunning);
    expect(await server.stop()).toBe(0);
    await scan(await filesUnder(dataDir));
  });
});

describe('lockstep serve: shutdown', () => {
  it('exits 0 on a SIGTERM sent as soon as it says it is listening, and stops listening', async () => {
    // A supervisor may stop a server the moment it reports ready, and that must be a clean
    // stop. Several at once, because a server that is not yet handling SIGTERM when it says
    // it listens is caught only when its own start is slow, as under load.
    const servers = await Promise.all([1, 2, 3, 4].map(() => startTracked()));
    const stops = await Promise.all(
      servers.map(async (server) => ({ port: server.port, exitCode: await server.stop() })),
    );
    expect(stops.map((s) => s.exitCode)).toEqual([0, 0, 0, 0]);
    for (const server of servers) expect(server.log()).toContain('SIGTERM received, shutting down');
    for (const { port } of stops) expect(await connectionRefused(port)).toBe(true);
  });

  it('finishes a request that was in flight when SIGTERM arrived', async () => {
    const server = await start();
    const client = clientFor(server);
    await client.send(new CreatePipelineCommand({ pipeline: fixturePipeline('InFlight') }));
    const signed = await signedListPipelines(client);

    // Deterministic ordering, no sleeps: headers go first with Expect: 100-continue, and the
    // server's 100 Continue proves it has taken the request. Only then SIGTERM, and only once
    // the server has stopped accepting connections does the body go out.
    const request = http.request({
      host: '127.0.0.1',
      port: server.port,
      method: 'POST',
      path: signed.path,
      headers: { ...signed.headers, expect: '100-continue' },
    });
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      request.on('response', (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      request.on('error', reject);
    });
    const continued = new Promise<void>((resolve) => request.once('continue', resolve));
    request.flushHeaders();
    await continued;

    const exited = server.stop();
    await waitUntil(() => connectionRefused(server.port), 'the server to stop listening');
    request.end(signed.body);

    const { status, body } = await response;
    expect(status).toBe(200);
    const names = (JSON.parse(body) as { pipelines: { name: string }[] }).pipelines.map(
      (p) => p.name,
    );
    expect(names).toEqual(['InFlight']);
    // Node's default agent, like the SDK's, keeps the connection open after the answer, so the
    // exit can wait out the server's keep-alive timeout (5 s).
    expect(await exited).toBe(0);
  });
});

/** The exact request the SDK would send for ListPipelines, signed, but not sent. */
async function signedListPipelines(
  client: CodePipelineClient,
): Promise<{ path: string; headers: Record<string, string>; body: string }> {
  let captured: { path: string; headers: Record<string, string>; body: string } | undefined;
  // The deserialize step runs after signing (finalizeRequest) and just before sending.
  client.middlewareStack.add(
    () => (args) => {
      captured = args.request as typeof captured;
      return Promise.reject(new Error('captured, not sent'));
    },
    { step: 'deserialize', priority: 'low', name: 'captureSignedRequest' },
  );
  await expect(client.send(new ListPipelinesCommand({}))).rejects.toThrow('captured, not sent');
  client.middlewareStack.remove('captureSignedRequest');
  if (!captured) throw new Error('the SDK sent nothing');
  return captured;
}

async function waitUntil(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('lockstep serve: options', () => {
  it.each([
    {
      args: ['--host', '0.0.0.0'],
      says: [/refusing to serve plain HTTP on 0\.0\.0\.0/, /--insecure-http/, /--tls-cert/],
    },
    { args: ['--account-id', '12'], says: [/--account-id must be 12 digits/, /'12'/] },
    { args: ['--port', '99999'], says: [/--port/, /99999/] },
    { args: ['--database-url', 'mysql://x'], says: [/--database-url/, /postgres/] },
    { args: ['--tls-cert', fixturePath(FIXTURE)], says: [/--tls-cert and --tls-key/] },
  ])('refuses $args with exit 2 before touching the data directory', async ({ args, says }) => {
    const dataDir = path.join(await scratch(), 'data');
    const portArgs = args.includes('--port') ? [] : ['--port', '0'];
    const result = await runLockstep(['serve', '--data-dir', dataDir, ...portArgs, ...args]);
    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(2);
    for (const pattern of says) expect(result.stderr).toMatch(pattern);
    await expect(stat(dataDir)).rejects.toThrow(/ENOENT/);
  });

  it('serves plain HTTP on 0.0.0.0 when told --insecure-http', async () => {
    const server = await start({ extraArgs: ['--host', '0.0.0.0', '--insecure-http'] });
    expect(server.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    expect((await getJson(`http://127.0.0.1:${server.port}/health`)).status).toBe(200);
  });

  it('refuses, with exit 1, to serve a data directory as another account', async () => {
    const dataDir = path.join(await scratch(), 'data');
    const first = await start({ dataDir, accountId: '111122223333' });
    await first.stop();

    const args = ['serve', '--data-dir', dataDir, '--port', '0', '--account-id', '444455556666'];
    const result = await runLockstep(args);
    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('account 111122223333');
    expect(result.stderr).toContain('444455556666');
  });

  it('takes its options from LOCKSTEP_* environment variables', async () => {
    const dataDir = path.join(await scratch(), 'env-data');
    const server = await startServeFromEnv({
      LOCKSTEP_PORT: '0',
      LOCKSTEP_DATA_DIR: dataDir,
      LOCKSTEP_ACCOUNT_ID: '555566667777',
      LOCKSTEP_REGION: 'eu-west-1',
    });
    running.push(server);
    expect(server.url).not.toMatch(/:7700$/);
    const credentials = await readFile(path.join(dataDir, 'credentials'), 'utf8');
    const key = (name: string) => new RegExp(`^${name}\\s*=\\s*(\\S+)`, 'm').exec(credentials)?.[1];
    const serverKey = {
      accessKeyId: key('aws_access_key_id') ?? '',
      secretAccessKey: key('aws_secret_access_key') ?? '',
    };
    const client = sdkClient(server.url, serverKey, { region: 'eu-west-1' });
    // The service role must be one of this server's own account.
    const roleArn = 'arn:aws:iam::555566667777:role/from-env';
    const access = { url: server.url, region: 'eu-west-1', credentials: serverKey };
    await createPipelineRole(access, roleArn);
    const pipeline = { ...fixturePipeline('FromEnv'), roleArn };
    await client.send(new CreatePipelineCommand({ pipeline }));
    const got = await client.send(new GetPipelineCommand({ name: 'FromEnv' }));
    expect(got.metadata?.pipelineArn).toBe('arn:aws:codepipeline:eu-west-1:555566667777:FromEnv');
  });

  it('prints the package version for --version', async () => {
    const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const result = await runLockstep(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });
});

const hasOpenssl = spawnSync('openssl', ['version']).error === undefined;
if (!hasOpenssl) console.warn('serve.test.ts: TLS tests skipped: openssl is not installed');

describe.skipIf(!hasOpenssl)('lockstep serve: TLS', () => {
  let server: LockstepProcess;
  let ca: Buffer;
  let caFile: string;
  let keyPem: Buffer;
  let base: string;

  beforeAll(async () => {
    const dir = await scratch();
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    await promisify(execFile)('openssl', [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      ...['-keyout', key, '-out', cert],
    ]);
    ca = await readFile(cert);
    caFile = cert;
    keyPem = await readFile(key);
    // TLS lifts the loopback-only rule, so starting on 0.0.0.0 also shows that is accepted.
    server = await startLockstep({
      dataDir: path.join(dir, 'data'),
      extraArgs: ['--tls-cert', cert, '--tls-key', key, '--host', '0.0.0.0'],
      // Made over HTTPS, which the role helper's fetch would not trust; these tests need none.
      pipelineRoles: [],
    });
    base = `https://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers /health over HTTPS to a client trusting the certificate', async () => {
    expect(server.url).toMatch(/^https:/);
    const health = await getJson(`${base}/health`, { ca });
    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('accepts TLS 1.2 and refuses TLS 1.1', async ({ skip }) => {
    const tls12 = { ca, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } as const;
    expect(await handshake(server.port, tls12)).toBe('TLSv1.2');
    // Node's OpenSSL defaults refuse TLS 1.1 client-side, which would make the refusal below
    // pass for the wrong reason: lower the client's floor and prove it on a permissive server.
    const tls11: tls.ConnectionOptions = {
      ca,
      minVersion: 'TLSv1.1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT:@SECLEVEL=0',
    };
    const permissive = tls.createServer({
      cert: ca,
      key: keyPem,
      minVersion: 'TLSv1',
      ciphers: 'DEFAULT:@SECLEVEL=0',
    });
    await new Promise<void>((resolve) => permissive.listen(0, '127.0.0.1', resolve));
    const control = await handshake((permissive.address() as { port: number }).port, tls11);
    permissive.close();
    if (control !== 'TLSv1.1') skip(`this OpenSSL cannot speak TLS 1.1 at all (${control})`);
    // The alert comes from the server: it refused the protocol version.
    expect(await handshake(server.port, tls11)).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
  });

  it('serves signed SDK calls over HTTPS', async () => {
    const client = sdkClient(base, server.credentials, {
      requestHandler: { httpsAgent: new https.Agent({ ca }) },
    });
    const pipeline = fixturePipeline('OverTls');
    // Its service role first, made with the AWS CLI trusting the same certificate.
    const roleName = pipeline.roleArn?.split('/').pop() ?? '';
    const createRole = ['iam', 'create-role', '--role-name', roleName];
    createRole.push('--assume-role-policy-document', CODEPIPELINE_TRUST);
    createRole.push('--endpoint-url', base, '--region', 'us-east-1');
    const env = clientEnv(path.join(server.dataDir, 'credentials'), { AWS_CA_BUNDLE: caFile });
    const iam = await runClient('aws', createRole, env);
    expect(iam.stderr).toBe('');
    await client.send(new CreatePipelineCommand({ pipeline }));
    const listed = await client.send(new ListPipelinesCommand({}));
    expect(listed.pipelines?.map((p) => p.name)).toEqual(['OverTls']);
  });
});

/** Connects with TLS options; resolves with the negotiated protocol or the error's code. */
function handshake(port: number, options: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ...options }, () => {
      resolve(socket.getProtocol() ?? 'unknown');
      socket.end();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}
