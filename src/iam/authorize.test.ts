import { describe, expect, it } from 'vitest';
import { authorize } from './authorize.js';
import type { Principal } from './principal.js';

const admin: Principal = {
  arn: 'arn:aws:iam::123456789012:user/lockstep-admin',
  accountId: '123456789012',
  userName: 'lockstep-admin',
  accessKeyId: 'AKIAADMIN',
  isBootstrapAdmin: true,
};
const other: Principal = {
  ...admin,
  arn: 'arn:aws:iam::123456789012:user/dev',
  isBootstrapAdmin: false,
};
const request = {
  action: 'codepipeline:DeletePipeline',
  resourceArn: 'arn:aws:codepipeline:us-east-1:123456789012:p',
};

describe('authorize (until IAM policies exist)', () => {
  it('allows the bootstrap administrator everything', () => {
    expect(() => authorize({ ...request, principal: admin })).not.toThrow();
  });

  it('refuses anyone else, naming the principal, action and resource', () => {
    expect(() => authorize({ ...request, principal: other })).toThrow(
      expect.objectContaining({
        code: 'AccessDeniedException',
        message:
          'User: arn:aws:iam::123456789012:user/dev is not authorized to perform: ' +
          'codepipeline:DeletePipeline on resource: arn:aws:codepipeline:us-east-1:123456789012:p',
      }),
    );
  });
});
