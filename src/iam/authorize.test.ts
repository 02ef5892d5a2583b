import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStateStore } from '../store/open-state-store.js';
import type { StateStore } from '../store/state-store.js';
import { createAuthorizer, type Authorize } from './authorize.js';
import type { Principal } from './principal.js';
import { PrincipalPolicyLoader } from './principal-policies.js';

const admin: Principal = {
  arn: 'arn:aws:iam::123456789012:user/lockstep-admin',
  accountId: '123456789012',
  userName: 'lockstep-admin',
  accessKeyId: 'AKIAADMIN',
  isBootstrapAdmin: true,
};
const dev: Principal = {
  ...admin,
  arn: 'arn:aws:iam::123456789012:user/dev',
  userName: 'dev',
  isBootstrapAdmin: false,
};
const pipelineArn = 'arn:aws:codepipeline:us-east-1:123456789012:p';
const request = (principal: Principal, action: string) => ({
  principal,
  action,
  resourceArn: pipelineArn,
  sourceIp: '127.0.0.1',
  secureTransport: false,
});

describe('authorize', () => {
  let dir: string;
  let store: StateStore;
  let authorize: Authorize;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lockstep-authz-'));
    store = await openStateStore({ dataDir: dir });
    authorize = createAuthorizer(new PrincipalPolicyLoader(store));
    await store.iam.createUser({
      userName: 'dev',
      userId: 'AIDAEXAMPLE',
      arn: dev.arn,
      path: '/',
      permissionsBoundaryArn: null,
      createdMs: 0,
    });
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('allows the bootstrap administrator everything', async () => {
    await expect(authorize(request(admin, 'codepipeline:DeletePipeline'))).resolves.toBeUndefined();
  });

  it('refuses a user with no policy, naming the principal, action and resource', async () => {
    await expect(authorize(request(dev, 'codepipeline:GetPipeline'))).rejects.toMatchObject({
      code: 'AccessDeniedException',
      message:
        'User: arn:aws:iam::123456789012:user/dev is not authorized to perform: codepipeline:GetPipeline ' +
        `on resource: ${pipelineArn} because no identity-based policy allows the codepipeline:GetPipeline action`,
    });
  });

  it('follows the user’s policies: what they allow, and an explicit deny over it', async () => {
    await store.iam.putInlinePolicy({
      principalType: 'user',
      principalName: 'dev',
      policyName: 'read',
      document: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'codepipeline:*', Resource: '*' },
          { Effect: 'Deny', Action: 'codepipeline:Delete*', Resource: '*' },
        ],
      }),
    });
    await expect(authorize(request(dev, 'codepipeline:GetPipeline'))).resolves.toBeUndefined();
    await expect(authorize(request(dev, 'codepipeline:DeletePipeline'))).rejects.toThrow(
      /with an explicit deny in an identity-based policy/,
    );
  });
});
