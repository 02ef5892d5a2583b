import { describe, expect, it } from 'vitest';
import { checkSecretName, newSecretArn, readSecretId } from './secret-arn.js';

const scope = { accountId: '123456789012', region: 'eu-west-1' };
const PREFIX = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:';

describe('secret ARNs', () => {
  it('end in the name, a hyphen and six random alphanumeric characters', () => {
    const arns = new Set([1, 2, 3, 4, 5].map(() => newSecretArn(scope, 'prod/db')));
    for (const arn of arns)
      expect(arn).toMatch(
        /^arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod\/db-[A-Za-z0-9]{6}$/,
      );
    expect(arns.size).toBe(5);
  });

  it('read a SecretId as a name, a full or partial ARN, or nothing of this account', () => {
    expect(readSecretId(scope, 'GITHUB_TOKEN')).toEqual({ name: 'GITHUB_TOKEN' });
    expect(readSecretId(scope, `${PREFIX}GITHUB_TOKEN-AbC123`)).toEqual({
      arn: `${PREFIX}GITHUB_TOKEN-AbC123`,
      name: 'GITHUB_TOKEN-AbC123',
    });
    expect(readSecretId(scope, `${PREFIX}GITHUB_TOKEN`)?.name).toBe('GITHUB_TOKEN');
    expect(readSecretId(scope, 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x')).toBe(
      undefined,
    );
    expect(readSecretId(scope, 'arn:aws:secretsmanager:eu-west-1:999999999999:secret:x')).toBe(
      undefined,
    );
  });

  it('refuses names AWS refuses', () => {
    expect(() => checkSecretName('prod/db_user+x=y.z@a-b')).not.toThrow();
    expect(() => checkSecretName('has space')).toThrow(/Invalid name/);
    expect(() => checkSecretName('x'.repeat(513))).toThrow(/Invalid name/);
  });
});
