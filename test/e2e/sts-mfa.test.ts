/**
 * MFA and STS through the real AWS CLI v1: a virtual MFA device enabled with two TOTP codes the
 * test computes from the seed; a CodePipeline call allowed only with MFA, refused with the
 * plain key and allowed with a GetSessionToken MFA session; forged, replayed, expired and
 * orphaned credentials refused; AssumeRole with a trust policy and a role that may read one
 * pipeline only; GetCallerIdentity for each kind of caller.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CreatePipelineCommand } from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode } from '../../src/iam/mfa/base32.js';
import { MfaService } from '../../src/iam/mfa/mfa-service.js';
import { totpCode, totpStep } from '../../src/iam/mfa/totp.js';
import { StsService } from '../../src/iam/sts/sts-service.js';
import { RootKey } from '../../src/kms/root-key.js';
import { openStateStore } from '../../src/store/open-state-store.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import { minimalDeclaration } from './support/pipeline-fixtures.js';

const exec = promisify(execFile);
const AWS_V1 = ['/root/.pyenv/shims/aws', '/usr/local/bin/aws'].find((p) => existsSync(p));
if (!AWS_V1) console.warn('sts-mfa: skipped, the AWS CLI v1 is not installed');

const ACCOUNT = '123456789012';
const ALICE_ARN = `arn:aws:iam::${ACCOUNT}:user/alice`;
const ALPHA_ARN = `arn:aws:codepipeline:us-east-1:${ACCOUNT}:alpha`;

interface Credentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken?: string;
}

interface CliResult {
  ok: boolean;
  json: Record<string, unknown>;
  stderr: string;
}

describe.skipIf(!AWS_V1)('STS sessions and MFA through the AWS CLI', () => {
  let t: TestServer;
  let workDir = '';
  let admin: Credentials;
  let alice: Credentials;
  let seed: Buffer = Buffer.alloc(0);
  let serial = '';
  let mfaSession: Credentials;
  let roleSession: Credentials;

  /** Runs `aws ...` with the given credentials; never throws, so refusals can be asserted. */
  async function aws(creds: Credentials, ...args: string[]): Promise<CliResult> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ACCESS_KEY_ID: creds.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.SecretAccessKey,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_PAGER: '',
      ...(creds.SessionToken ? { AWS_SESSION_TOKEN: creds.SessionToken } : {}),
    };
    const argv = [...args, '--endpoint-url', t.server.url, '--region', 'us-east-1'];
    try {
      const { stdout } = await exec(AWS_V1 ?? 'aws', [...argv, '--output', 'json'], { env });
      const json = stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
      return { ok: true, json, stderr: '' };
    } catch (error) {
      return { ok: false, json: {}, stderr: (error as { stderr: string }).stderr };
    }
  }

  async function must(creds: Credentials, ...args: string[]): Promise<Record<string, unknown>> {
    const result = await aws(creds, ...args);
    if (!result.ok) throw new Error(`aws ${args.join(' ')} failed: ${result.stderr}`);
    return result.json;
  }

  const policy = (...statements: object[]) =>
    JSON.stringify({ Version: '2012-10-17', Statement: statements });
  const codeAt = (offset: number) => totpCode(seed, totpStep(Date.now()) + offset);

  beforeAll(async () => {
    t = await startTestServer();
    workDir = await mkdtemp(path.join(tmpdir(), 'lockstep-sts-'));
    admin = {
      AccessKeyId: t.credentials.accessKeyId,
      SecretAccessKey: t.credentials.secretAccessKey,
    };
    for (const name of ['alpha', 'beta']) {
      await t.client.send(new CreatePipelineCommand({ pipeline: minimalDeclaration(name) }));
    }
    await must(admin, 'iam', 'create-user', '--user-name', 'alice');
    alice = (await must(admin, 'iam', 'create-access-key', '--user-name', 'alice'))
      .AccessKey as Credentials;
    await must(
      admin,
      ...['iam', 'put-user-policy', '--user-name', 'alice', '--policy-name', 'mfa-only'],
      '--policy-document',
      policy(
        {
          Effect: 'Allow',
          Action: 'codepipeline:ListPipelines',
          Resource: '*',
          Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
        },
        { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' },
      ),
    );
  });
  afterAll(async () => {
    await t?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('creates a virtual MFA device and enables it with two consecutive codes', async () => {
    const seedFile = path.join(workDir, 'seed.txt');
    const created = await must(
      admin,
      ...['iam', 'create-virtual-mfa-device', '--virtual-mfa-device-name', 'alice-phone'],
      ...['--outfile', seedFile, '--bootstrap-method', 'Base32StringSeed'],
    );
    serial = (created.VirtualMFADevice as { SerialNumber: string }).SerialNumber;
    expect(serial).toBe(`arn:aws:iam::${ACCOUNT}:mfa/alice-phone`);
    const base32 = (await readFile(seedFile, 'utf8')).trim();
    expect(base32).toMatch(/^[A-Z2-7]{64}$/);
    seed = base32Decode(base32);

    const enable = (code1: string, code2: string) =>
      aws(
        admin,
        ...['iam', 'enable-mfa-device', '--user-name', 'alice', '--serial-number', serial],
        ...['--authentication-code1', code1, '--authentication-code2', code2],
      );
    // Two codes that are not consecutive steps are refused.
    const swapped = await enable(codeAt(0), codeAt(-1));
    expect(swapped.stderr).toContain('InvalidAuthenticationCode');
    expect((await enable(codeAt(-1), codeAt(0))).ok).toBe(true);

    const listed = await must(admin, 'iam', 'list-mfa-devices', '--user-name', 'alice');
    expect(listed.MFADevices).toMatchObject([{ UserName: 'alice', SerialNumber: serial }]);
  });

  it('refuses the MFA-guarded call with the plain key and allows it in an MFA session', async () => {
    const plain = await aws(alice, 'codepipeline', 'list-pipelines');
    expect(plain.stderr).toContain('AccessDeniedException');
    expect(plain.stderr).toContain(
      `${ALICE_ARN} is not authorized to perform: codepipeline:ListPipelines`,
    );

    // The enabling pair used the current step; the next one is still within the window.
    const code = codeAt(1);
    const issued = await must(
      alice,
      ...['sts', 'get-session-token', '--serial-number', serial, '--token-code', code],
    );
    mfaSession = issued.Credentials as Credentials;
    expect(mfaSession.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    const listed = await must(mfaSession, 'codepipeline', 'list-pipelines');
    expect((listed.pipelines as { name: string }[]).map((p) => p.name)).toEqual(['alpha', 'beta']);

    // The same code cannot open a second session.
    const replay = await aws(
      alice,
      ...['sts', 'get-session-token', '--serial-number', serial, '--token-code', code],
    );
    expect(replay.stderr).toContain('MultiFactorAuthentication failed');
  });

  it('refuses a session token changed by one character, and an expired session', async () => {
    const token = mfaSession.SessionToken ?? '';
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    const forged = { ...mfaSession, SessionToken: token.slice(0, -1) + last };
    const refused = await aws(forged, 'codepipeline', 'list-pipelines');
    expect(refused.stderr).toContain('UnrecognizedClientException');
    expect(refused.stderr).toContain('The security token included in the request is invalid');

    // Nobody waits 15 minutes: a second store on the server's database writes a session as
    // STS would have issued it two hours ago, through the same code path with an older clock.
    const store = await openStateStore({ dataDir: t.dataDir });
    try {
      const rootKey = await RootKey.loadOrCreate(path.join(t.dataDir, 'keys', 'root.key'), false);
      const deps = {
        store,
        rootKey,
        scope: { accountId: ACCOUNT, region: 'us-east-1' },
        now: () => Date.now() - 2 * 3600_000,
      };
      const caller = {
        arn: ALICE_ARN,
        accountId: ACCOUNT,
        userName: 'alice',
        accessKeyId: alice.AccessKeyId,
        isBootstrapAdmin: false,
      };
      const old = await new StsService(deps, new MfaService(deps)).getSessionToken(caller, {
        DurationSeconds: 900,
      });
      const expired = await aws(old.Credentials, 'sts', 'get-caller-identity');
      expect(expired.stderr).toContain('ExpiredToken');
      expect(expired.stderr).toContain('The security token included in the request is expired');
    } finally {
      await store.close();
    }
  });

  it('assumes a role that trusts the caller, with only the role’s permissions', async () => {
    const trust = (principal: string) =>
      policy({ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' });
    await must(
      admin,
      ...['iam', 'create-role', '--role-name', 'alpha-reader'],
      ...['--assume-role-policy-document', trust(ALICE_ARN)],
    );
    await must(
      admin,
      ...['iam', 'put-role-policy', '--role-name', 'alpha-reader', '--policy-name', 'read'],
      '--policy-document',
      policy({ Effect: 'Allow', Action: 'codepipeline:GetPipeline', Resource: ALPHA_ARN }),
    );
    const assumed = await must(
      alice,
      ...['sts', 'assume-role', '--role-arn', `arn:aws:iam::${ACCOUNT}:role/alpha-reader`],
      ...['--role-session-name', 'deploy-1'],
    );
    roleSession = assumed.Credentials as Credentials;
    const sessionArn = `arn:aws:sts::${ACCOUNT}:assumed-role/alpha-reader/deploy-1`;
    expect(assumed.AssumedRoleUser).toMatchObject({ Arn: sessionArn });

    const got = await must(roleSession, 'codepipeline', 'get-pipeline', '--name', 'alpha');
    expect((got.pipeline as { name: string }).name).toBe('alpha');
    const other = await aws(roleSession, 'codepipeline', 'get-pipeline', '--name', 'beta');
    expect(other.stderr).toContain('AccessDeniedException');
    const list = await aws(roleSession, 'codepipeline', 'list-pipelines');
    expect(list.stderr).toContain(
      `${sessionArn} is not authorized to perform: codepipeline:ListPipelines`,
    );

    // A role whose trust policy names someone else.
    await must(
      admin,
      ...['iam', 'create-role', '--role-name', 'admins-only'],
      ...['--assume-role-policy-document', trust(`arn:aws:iam::${ACCOUNT}:user/lockstep-admin`)],
    );
    const strangerRole = `arn:aws:iam::${ACCOUNT}:role/admins-only`;
    const untrusted = await aws(
      alice,
      ...['sts', 'assume-role', '--role-arn', strangerRole, '--role-session-name', 'x1'],
    );
    expect(untrusted.stderr).toContain('AccessDenied');
    expect(untrusted.stderr).toContain(
      `not authorized to perform: sts:AssumeRole on resource: ${strangerRole}`,
    );
  });

  it('answers GetCallerIdentity for the user, its session and the assumed role', async () => {
    const ids = await Promise.all(
      [alice, mfaSession, roleSession].map((c) => must(c, 'sts', 'get-caller-identity')),
    );
    expect(ids[0]).toMatchObject({
      Account: ACCOUNT,
      Arn: ALICE_ARN,
      UserId: expect.stringMatching(/^AIDA/) as string,
    });
    expect(ids[1]).toEqual(ids[0]);
    expect(ids[2]).toMatchObject({
      Account: ACCOUNT,
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/alpha-reader/deploy-1`,
      UserId: expect.stringMatching(/^AROA[A-Z2-7]{17}:deploy-1$/) as string,
    });
  });

  it('kills every session of an access key when the key is deleted', async () => {
    await must(
      admin,
      ...['iam', 'delete-access-key', '--user-name', 'alice', '--access-key-id', alice.AccessKeyId],
    );
    for (const session of [mfaSession, roleSession]) {
      const dead = await aws(session, 'sts', 'get-caller-identity');
      expect(dead.stderr).toContain('InvalidClientTokenId');
    }
    expect(t.loggedErrors).toEqual([]);
  });
});
