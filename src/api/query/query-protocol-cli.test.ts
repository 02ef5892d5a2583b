/**
 * The real AWS CLI v1 (botocore) against QueryProtocol behind a loopback HTTP server: the
 * bodies it sends are recorded and parsed with parseQueryRequest, its SigV4 signatures are
 * verified for signing names `iam` and `sts`, and its `--output json` shows how it read our XML.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientEnv, runClient } from '../../../test/e2e/support/run-client.js';
import type { ApiCallRecord, AuditTrail } from '../../audit/audit-trail.js';
import { LockstepError } from '../../errors/lockstep-error.js';
import { verifySigV4 } from '../auth/verify-sigv4.js';
import type { Authenticate } from '../json-protocol.js';
import { defineOperation, type Operation } from '../operation.js';
import type { ServerServices } from '../server-services.js';
import { parseQueryRequest } from './parse-query-request.js';
import { QueryModel } from './query-model.js';
import { QueryProtocol } from './query-protocol.js';

const iam = QueryModel.bundled('iam/2010-05-08');
const sts = QueryModel.bundled('sts/2011-06-15');
const ARN = 'arn:aws:iam::123456789012:user/bob';
const CREATED = new Date('2024-01-02T03:04:05Z');
const ODD = `a<b>&"c'`;

const bodies: Buffer[] = [];
const statuses: number[] = [];
const audits: ApiCallRecord[] = [];
let server: Server;
let endpoint = '';

function operation(name: string, handle: (input: Record<string, unknown>) => unknown): Operation {
  return defineOperation<Record<string, unknown>>({
    name,
    iamAction: `iam:${name}`,
    readOnly: name.startsWith('Get') || name.startsWith('List'),
    resourceArn: () => '*',
    handle: (input) => Promise.resolve(handle(input)),
  });
}

const user = (name: string, tags: unknown) => ({
  Path: '/',
  UserName: name,
  UserId: 'AIDAEXAMPLE',
  Arn: ARN,
  CreateDate: CREATED,
  Tags: tags,
});

const iamOperations = [
  operation('ListUsers', () => ({ Users: [user('alice', [{ Key: 'note', Value: ODD }])] })),
  operation('CreateUser', (input) => ({ User: user(String(input.UserName), input.Tags) })),
  operation('PutUserPolicy', () => undefined),
  operation('GetAccountSummary', () => ({ SummaryMap: { Users: 2, Policies: 0 } })),
  operation('GetUser', (input) => {
    const name = String(input.UserName);
    throw new LockstepError('NoSuchEntityException', `The user with name ${name} cannot be found.`);
  }),
];
const stsOperations = [
  operation('GetCallerIdentity', () => ({
    UserId: 'AIDAEXAMPLE',
    Account: '123456789012',
    Arn: ARN,
  })),
  operation('AssumeRole', () => ({
    Credentials: {
      AccessKeyId: 'ASIAEXAMPLE',
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: CREATED,
    },
    AssumedRoleUser: {
      AssumedRoleId: 'AROAEXAMPLE:s1',
      Arn: 'arn:aws:sts::123456789012:assumed-role/r/s1',
    },
    PackedPolicySize: 6,
  })),
];

// The real SigV4 check with one known key, so a wrong signing name or body hash would fail.
const authenticate: Authenticate = async (request, signingName) => {
  const verified = await verifySigV4(
    { method: request.method, path: request.url, headers: request.headers, body: request.body },
    {
      service: signingName,
      nowMs: Date.now(),
      lookupCredential: (id) =>
        Promise.resolve(id === 'AKIDEXAMPLE' ? { secretAccessKey: 'x' } : undefined),
    },
  );
  return {
    arn: ARN,
    accountId: '123456789012',
    userName: 'bob',
    accessKeyId: verified.accessKeyId,
    isBootstrapAdmin: true,
  };
};

const protocol = new QueryProtocol({
  services: [
    {
      signingName: 'iam',
      eventSource: 'iam.amazonaws.com',
      model: iam,
      operations: new Map(iamOperations.map((o) => [o.name, o])),
    },
    {
      signingName: 'sts',
      eventSource: 'sts.amazonaws.com',
      model: sts,
      operations: new Map(stsOperations.map((o) => [o.name, o])),
    },
  ],
  authenticate,
  authorize: () => Promise.resolve(),
  audit: {
    recordCall: (call: ApiCallRecord) => Promise.resolve(void audits.push(call)),
  } as unknown as AuditTrail,
  serverServices: {} as ServerServices,
  logError: (message, error) => console.error(message, error),
});

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      bodies.push(body);
      const wire = {
        headers: req.headers,
        url: req.url ?? '/',
        method: req.method ?? 'POST',
        body,
        sourceIp: '127.0.0.1',
        secure: false,
      };
      void protocol.handle(wire).then((response) => {
        statuses.push(response.statusCode);
        res.writeHead(response.statusCode, response.headers).end(response.body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Runs `aws <args>` against the test server; returns its output and the body it sent. */
async function aws(...args: string[]) {
  const env = clientEnv('/dev/null', {
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'x',
  });
  const before = bodies.length;
  const common = ['--endpoint-url', endpoint, '--region', 'us-east-1', '--output', 'json'];
  const result = await runClient('aws', [...args, ...common], env);
  expect(bodies.length, result.stderr).toBe(before + 1);
  const body = bodies[before] ?? Buffer.alloc(0);
  const json =
    result.exitCode === 0 && result.stdout.trim() !== ''
      ? (JSON.parse(result.stdout) as unknown)
      : undefined;
  return { ...result, body, json, status: statuses[before] };
}

describe('the AWS CLI against QueryProtocol', () => {
  it('iam list-users: a list of structures, a timestamp and escaped text', async () => {
    const result = await aws('iam', 'list-users');
    expect(parseQueryRequest(result.body, iam)).toEqual({
      operation: 'ListUsers',
      version: '2010-05-08',
      input: {},
    });
    expect(result.json).toEqual({
      Users: [
        {
          Path: '/',
          UserName: 'alice',
          UserId: 'AIDAEXAMPLE',
          Arn: ARN,
          CreateDate: '2024-01-02T03:04:05Z',
          Tags: [{ Key: 'note', Value: ODD }],
        },
      ],
    });
  });

  it('iam create-user --tags: tags decoded from Tags.member.N and echoed back', async () => {
    const result = await aws(
      'iam',
      'create-user',
      '--user-name',
      'bob',
      '--tags',
      'Key=team,Value=build',
    );
    const tags = [{ Key: 'team', Value: 'build' }];
    expect(parseQueryRequest(result.body, iam).input).toEqual({ UserName: 'bob', Tags: tags });
    expect(result.json).toEqual({
      User: { ...user('bob', tags), CreateDate: '2024-01-02T03:04:05Z' },
    });
  });

  it('iam put-user-policy: a JSON document as a form value; no output', async () => {
    const document =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}';
    const result = await aws(
      'iam',
      'put-user-policy',
      '--user-name',
      'bob',
      '--policy-name',
      'p',
      '--policy-document',
      document,
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('');
    expect(parseQueryRequest(result.body, iam).input).toEqual({
      UserName: 'bob',
      PolicyName: 'p',
      PolicyDocument: document,
    });
  });

  it('iam get-account-summary: a map of entries', async () => {
    const result = await aws('iam', 'get-account-summary');
    expect(result.json).toEqual({ SummaryMap: { Users: 2, Policies: 0 } });
  });

  it('iam get-user for a missing user: NoSuchEntity, HTTP 404, exit 255, audited', async () => {
    const result = await aws('iam', 'get-user', '--user-name', 'bob');
    expect([result.exitCode, result.status]).toEqual([255, 404]);
    expect(result.stderr).toContain(
      'An error occurred (NoSuchEntity) when calling the GetUser operation: The user with name bob cannot be found.',
    );
    expect(audits.at(-1)).toMatchObject({
      eventSource: 'iam.amazonaws.com',
      eventName: 'GetUser',
      error: { code: 'NoSuchEntityException' },
    });
  });

  it('iam create-user with a bad name: ValidationError in IAM words', async () => {
    const result = await aws('iam', 'create-user', '--user-name', 'bob!');
    expect([result.exitCode, result.status]).toEqual([255, 400]);
    expect(result.stderr).toContain(
      "An error occurred (ValidationError) when calling the CreateUser operation: 1 validation error detected: Value 'bob!' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    );
  });

  it('sts get-caller-identity: signed for sts and routed by Version', async () => {
    const result = await aws('sts', 'get-caller-identity');
    expect(parseQueryRequest(result.body, sts).operation).toBe('GetCallerIdentity');
    expect(result.json).toEqual({ UserId: 'AIDAEXAMPLE', Account: '123456789012', Arn: ARN });
  });

  it('sts assume-role --policy-arns: a list of structures in, credentials out', async () => {
    const roleArn = 'arn:aws:iam::123456789012:role/r';
    const policyArn = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    const result = await aws(
      'sts',
      'assume-role',
      '--role-arn',
      roleArn,
      '--role-session-name',
      's1',
      '--policy-arns',
      `arn=${policyArn}`,
    );
    expect(parseQueryRequest(result.body, sts).input).toEqual({
      RoleArn: roleArn,
      RoleSessionName: 's1',
      PolicyArns: [{ arn: policyArn }],
    });
    expect(result.json).toMatchObject({
      Credentials: { AccessKeyId: 'ASIAEXAMPLE', Expiration: '2024-01-02T03:04:05Z' },
      AssumedRoleUser: { AssumedRoleId: 'AROAEXAMPLE:s1' },
      PackedPolicySize: 6,
    });
  });
});
