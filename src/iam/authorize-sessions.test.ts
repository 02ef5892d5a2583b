import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStateStore } from '../store/open-state-store.js';
import type { StateStore } from '../store/state-store.js';
import { createAuthorizer, type Authorize } from './authorize.js';
import type { Principal, PrincipalSession } from './principal.js';
import { PrincipalPolicyLoader } from './principal-policies.js';

const ACCOUNT = '123456789012';
const NOW = Date.UTC(2026, 0, 1);
const pipelineArn = `arn:aws:codepipeline:us-east-1:${ACCOUNT}:p`;
const roleArn = `arn:aws:iam::${ACCOUNT}:role/deployer`;
const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

const user: Principal = {
  arn: `arn:aws:iam::${ACCOUNT}:user/dev`,
  accountId: ACCOUNT,
  userName: 'dev',
  accessKeyId: 'AKIADEV',
  isBootstrapAdmin: false,
};
const roleSession = (session: PrincipalSession = {}): Principal => ({
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/s1`,
  accountId: ACCOUNT,
  userName: '',
  accessKeyId: 'ASIAROLE',
  isBootstrapAdmin: false,
  session: { roleArn, roleName: 'deployer', sessionName: 's1', ...session },
});
const request = (principal: Principal, action: string) => ({
  principal,
  action,
  resourceArn: pipelineArn,
  sourceIp: '127.0.0.1',
  secureTransport: false,
});

describe('authorize, for sessions', () => {
  let dir: string;
  let store: StateStore;
  let authorize: Authorize;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lockstep-authz-sessions-'));
    store = await openStateStore({ dataDir: dir });
    authorize = createAuthorizer(new PrincipalPolicyLoader(store), () => NOW);
    await store.iam.createUser({
      userName: 'dev',
      userId: 'AIDADEV',
      arn: user.arn,
      path: '/',
      permissionsBoundaryArn: null,
      createdMs: 0,
    });
    await store.iam.createRole({
      roleName: 'deployer',
      roleId: 'AROADEPLOYER',
      arn: roleArn,
      path: '/',
      assumeRolePolicy: policy({
        Effect: 'Allow',
        Principal: { AWS: user.arn },
        Action: 'sts:AssumeRole',
      }),
      description: null,
      maxSessionSeconds: 3600,
      permissionsBoundaryArn: null,
      createdMs: 0,
    });
    const inline = (type: 'user' | 'role', name: string, document: string) =>
      store.iam.putInlinePolicy({
        principalType: type,
        principalName: name,
        policyName: 'p',
        document,
      });
    await inline(
      'user',
      'dev',
      policy(
        {
          Effect: 'Allow',
          Action: 'codepipeline:*',
          Resource: '*',
          Condition: {
            Bool: { 'aws:MultiFactorAuthPresent': 'true' },
            NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' },
          },
        },
        { Effect: 'Deny', Action: ['sts:GetCallerIdentity', 'sts:GetSessionToken'], Resource: '*' },
      ),
    );
    await inline(
      'role',
      'deployer',
      policy({ Effect: 'Allow', Action: 'codepipeline:*', Resource: pipelineArn }),
    );
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sets MFA present and its age from the session only', async () => {
    const withMfa = (atMs: number): Principal => ({
      ...user,
      accessKeyId: 'ASIAUSER',
      session: { mfaAuthenticatedAtMs: atMs },
    });
    await expect(authorize(request(user, 'codepipeline:GetPipeline'))).rejects.toMatchObject({
      code: 'AccessDeniedException',
    });
    await expect(
      authorize(request(withMfa(NOW - 60_000), 'codepipeline:GetPipeline')),
    ).resolves.toBeUndefined();
    await expect(
      authorize(request(withMfa(NOW - 2 * 3600_000), 'codepipeline:GetPipeline')),
    ).rejects.toMatchObject({ code: 'AccessDeniedException' });
  });

  it("evaluates a role session with the role's policies, not its user's", async () => {
    await expect(
      authorize(request(roleSession(), 'codepipeline:GetPipeline')),
    ).resolves.toBeUndefined();
    // The user's own policy (with MFA) would allow this; the role's does not reach `*`.
    await expect(
      authorize({
        ...request(roleSession({ mfaAuthenticatedAtMs: NOW }), 'codepipeline:ListPipelines'),
        resourceArn: '*',
      }),
    ).rejects.toMatchObject({
      message: expect.stringContaining(
        `User: arn:aws:sts::${ACCOUNT}:assumed-role/deployer/s1 is not authorized to perform: codepipeline:ListPipelines`,
      ) as string,
    });
  });

  it('intersects the role with its session policies, even a deleted managed one', async () => {
    const limited = roleSession({
      sessionPolicy: policy({ Effect: 'Allow', Action: 'codepipeline:GetPipeline', Resource: '*' }),
    });
    await expect(authorize(request(limited, 'codepipeline:GetPipeline'))).resolves.toBeUndefined();
    await expect(authorize(request(limited, 'codepipeline:DeletePipeline'))).rejects.toMatchObject({
      message: expect.stringContaining(
        'because no session policy allows the codepipeline:DeletePipeline action',
      ) as string,
    });
    const orphaned = roleSession({ sessionPolicyArns: [`arn:aws:iam::${ACCOUNT}:policy/gone`] });
    await expect(authorize(request(orphaned, 'codepipeline:GetPipeline'))).rejects.toMatchObject({
      code: 'AccessDeniedException',
    });
  });

  it('never refuses GetCallerIdentity; GetSessionToken needs no allow but yields to a deny', async () => {
    await expect(authorize(request(user, 'sts:GetCallerIdentity'))).resolves.toBeUndefined();
    await expect(authorize(request(user, 'sts:GetSessionToken'))).rejects.toMatchObject({
      message: expect.stringContaining('explicit deny') as string,
    });
    await expect(authorize(request(roleSession(), 'sts:GetSessionToken'))).resolves.toBeUndefined();
  });
});
