import { describe, expect, it } from 'vitest';
import { evaluatePolicies } from './evaluate-policies.js';
import { parsePolicyDocument } from './parse-policy-document.js';

const trust = (statement: Record<string, unknown>) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', ...statement }],
  });

describe('trust policies', () => {
  it('accept a principal without Resource, and apply to the role', () => {
    const doc = parsePolicyDocument(
      trust({ Principal: { Service: 'codepipeline.amazonaws.com' } }),
      { kind: 'trust' },
    );
    expect(doc).toBeDefined();
    const user = parsePolicyDocument(
      trust({ Principal: { AWS: 'arn:aws:iam::123456789012:user/dev' } }),
      { kind: 'trust' },
    );
    const result = evaluatePolicies({
      identityPolicies: [],
      resourcePolicies: [user],
      context: {
        principalArn: 'arn:aws:iam::123456789012:user/dev',
        action: 'sts:AssumeRole',
        resource: 'arn:aws:iam::123456789012:role/deployer',
        conditionKeys: {},
      },
    });
    expect(result.decision).toBe('Allow');
  });

  it('refuse Resource and a missing Principal, as IAM does', () => {
    expect(() =>
      parsePolicyDocument(trust({ Principal: { AWS: '*' }, Resource: '*' }), { kind: 'trust' }),
    ).toThrow('Has prohibited field Resource');
    expect(() => parsePolicyDocument(trust({}), { kind: 'trust' })).toThrow();
  });
});
