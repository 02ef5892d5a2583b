import { describe, expect, it } from 'vitest';
import type { IamRoleRecord } from '../store/iam-store.js';
import { CODEPIPELINE_SERVICE, trustsService } from './action-credentials.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');

function role(...statements: Record<string, unknown>[]): IamRoleRecord {
  return {
    roleName: 'r',
    roleId: 'AROAEXAMPLE',
    arn: 'arn:aws:iam::123456789012:role/r',
    path: '/',
    assumeRolePolicy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
    description: null,
    maxSessionSeconds: 3600,
    permissionsBoundaryArn: null,
    createdMs: 0,
  };
}

const allow = (principal: unknown, extra: Record<string, unknown> = {}) => ({
  Effect: 'Allow',
  Principal: principal,
  Action: 'sts:AssumeRole',
  ...extra,
});

describe('trustsService', () => {
  it('accepts a role trusting codepipeline.amazonaws.com, alone or among others', () => {
    expect(
      trustsService(role(allow({ Service: CODEPIPELINE_SERVICE })), CODEPIPELINE_SERVICE, NOW),
    ).toBe(true);
    const both = allow({ Service: ['codebuild.amazonaws.com', CODEPIPELINE_SERVICE] });
    expect(trustsService(role(both), CODEPIPELINE_SERVICE, NOW)).toBe(true);
  });

  it('refuses a role trusting another service or only IAM principals', () => {
    expect(
      trustsService(role(allow({ Service: 'codebuild.amazonaws.com' })), CODEPIPELINE_SERVICE, NOW),
    ).toBe(false);
    expect(trustsService(role(allow({ AWS: '123456789012' })), CODEPIPELINE_SERVICE, NOW)).toBe(
      false,
    );
  });

  it('lets an explicit Deny win and honours conditions and the action', () => {
    const deny = { ...allow({ Service: CODEPIPELINE_SERVICE }), Effect: 'Deny' };
    expect(trustsService(role(allow('*'), deny), CODEPIPELINE_SERVICE, NOW)).toBe(false);
    const expired = allow(
      { Service: CODEPIPELINE_SERVICE },
      { Condition: { DateLessThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } },
    );
    expect(trustsService(role(expired), CODEPIPELINE_SERVICE, NOW)).toBe(false);
    const tagOnly = allow({ Service: CODEPIPELINE_SERVICE }, { Action: 'sts:TagSession' });
    expect(trustsService(role(tagOnly), CODEPIPELINE_SERVICE, NOW)).toBe(false);
  });

  it('treats a NotPrincipal Deny naming the service as exempting it', () => {
    const denyOthers = {
      Effect: 'Deny',
      NotPrincipal: { Service: CODEPIPELINE_SERVICE },
      Action: 'sts:AssumeRole',
    };
    expect(trustsService(role(allow('*'), denyOthers), CODEPIPELINE_SERVICE, NOW)).toBe(true);
  });
});
