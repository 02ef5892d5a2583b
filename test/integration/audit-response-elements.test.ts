/**
 * CloudTrail keeps the response elements of calls that change something, and so does Lockstep,
 * with every value the service model marks sensitive replaced by CloudTrail's placeholder: an
 * access key's secret, a virtual MFA device's seed, an AssumeRole session's secret and token.
 * Read-only calls keep none. Checked through `aws cloudtrail lookup-events` and, for the secrets,
 * by searching the database file itself.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { GetPipelineCommand } from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HIDDEN } from '../../src/api/model/hide-sensitive.js';
import { awsAnyServiceCli, type AwsCli } from '../e2e/support/run-client.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';

const ACCOUNT = '123456789012';

interface LookedUp {
  Events: { EventName: string; CloudTrailEvent: string }[];
}

type Event = { responseElements: unknown; requestParameters: unknown };

let t: TestServer;
let cli: AwsCli;
let accessKey: { AccessKeyId: string; SecretAccessKey: string };
let mfaSeed: string;
let session: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };

/** The newest CloudTrail event named `name`, parsed. */
async function lastEvent(name: string): Promise<Event> {
  const found = await cli.json<LookedUp>(
    'cloudtrail',
    'lookup-events',
    '--lookup-attributes',
    `AttributeKey=EventName,AttributeValue=${name}`,
  );
  const event = found.Events[0];
  if (event === undefined) throw new Error(`no ${name} event in the trail`);
  return JSON.parse(event.CloudTrailEvent) as Event;
}

beforeAll(async () => {
  t = await startTestServer();
  cli = awsAnyServiceCli('aws', t.server, path.join(t.dataDir, 'credentials'));
  await cli.json('iam', 'create-user', '--user-name', 'deployer');
  ({ AccessKey: accessKey } = await cli.json<{ AccessKey: typeof accessKey }>(
    'iam',
    'create-access-key',
    '--user-name',
    'deployer',
  ));
  const seedFile = path.join(t.dataDir, 'mfa-seed.txt');
  await cli.json(
    'iam',
    'create-virtual-mfa-device',
    '--virtual-mfa-device-name',
    'deployer-phone',
    '--outfile',
    seedFile,
    '--bootstrap-method',
    'Base32StringSeed',
  );
  mfaSeed = (await readFile(seedFile, 'utf8')).trim();
  const trust = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: 'sts:AssumeRole',
      },
    ],
  };
  await cli.json(
    'iam',
    'create-role',
    '--role-name',
    'auditor',
    '--assume-role-policy-document',
    JSON.stringify(trust),
  );
  ({ Credentials: session } = await cli.json<{ Credentials: typeof session }>(
    'sts',
    'assume-role',
    '--role-arn',
    `arn:aws:iam::${ACCOUNT}:role/auditor`,
    '--role-session-name',
    'review',
  ));
  await t.client.send(new GetPipelineCommand({ name: 'absent' })).catch(() => undefined);
}, 120_000);

afterAll(async () => {
  await t.stop();
});

describe('responseElements in the audit trail', () => {
  it('keeps what CreateUser answered', async () => {
    const event = await lastEvent('CreateUser');
    expect(event.responseElements).toMatchObject({
      User: { UserName: 'deployer', Arn: `arn:aws:iam::${ACCOUNT}:user/deployer` },
    });
  });

  it("hides an access key's secret and keeps its id", async () => {
    const event = await lastEvent('CreateAccessKey');
    expect(event.responseElements).toMatchObject({
      AccessKey: { AccessKeyId: accessKey.AccessKeyId, SecretAccessKey: HIDDEN },
    });
  });

  it("hides a virtual MFA device's seed", async () => {
    const event = await lastEvent('CreateVirtualMFADevice');
    const device = (event.responseElements as { VirtualMFADevice: Record<string, unknown> })
      .VirtualMFADevice;
    expect(device.SerialNumber).toBe(`arn:aws:iam::${ACCOUNT}:mfa/deployer-phone`);
    expect(device.Base32StringSeed).toBe(HIDDEN);
  });

  it("hides an AssumeRole session's secret and token, keeping its key id", async () => {
    const event = await lastEvent('AssumeRole');
    expect(event.responseElements).toMatchObject({
      Credentials: {
        AccessKeyId: session.AccessKeyId,
        SecretAccessKey: HIDDEN,
        SessionToken: HIDDEN,
      },
      AssumedRoleUser: { Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/auditor/review` },
    });
  });

  it('keeps none for read-only calls and for refused calls', async () => {
    expect((await lastEvent('GetPipeline')).responseElements).toBeNull();
    await cli.json('iam', 'list-users');
    expect((await lastEvent('ListUsers')).responseElements).toBeNull();
    const refused = await cli.run('iam', 'create-user', '--user-name', 'deployer');
    expect(refused.exitCode).not.toBe(0);
    const events = await cli.json<LookedUp>(
      'cloudtrail',
      'lookup-events',
      '--lookup-attributes',
      'AttributeKey=EventName,AttributeValue=CreateUser',
    );
    const failed = events.Events.map(
      (e) =>
        JSON.parse(e.CloudTrailEvent) as Event & {
          errorCode?: string;
        },
    ).find((e) => e.errorCode !== undefined);
    expect(failed?.errorCode).toBe('EntityAlreadyExists');
    expect(failed?.responseElements).toBeNull();
  });

  it('leaves no secret in the database file', async () => {
    const database = await readFile(path.join(t.dataDir, 'state.db'));
    for (const secret of [
      accessKey.SecretAccessKey,
      mfaSeed,
      session.SecretAccessKey,
      session.SessionToken,
    ]) {
      expect(database.includes(Buffer.from(secret))).toBe(false);
    }
  });
});
