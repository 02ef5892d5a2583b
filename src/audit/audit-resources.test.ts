import { describe, expect, it } from 'vitest';
import { auditResourcesOf } from './audit-resources.js';

const A = '123456789012';

describe('auditResourcesOf', () => {
  it.each([
    [`arn:aws:codepipeline:us-east-1:${A}:deploy`, 'AWS::CodePipeline::Pipeline', 'deploy'],
    [
      `arn:aws:codepipeline:us-east-1:${A}:deploy/Hold/Gate`,
      'AWS::CodePipeline::Pipeline',
      'deploy',
    ],
    [`arn:aws:iam::${A}:user/ci/alice`, 'AWS::IAM::User', 'alice'],
    [`arn:aws:iam::${A}:role/pipeline`, 'AWS::IAM::Role', 'pipeline'],
    [
      `arn:aws:kms:us-east-1:${A}:key/1234abcd`,
      'AWS::KMS::Key',
      `arn:aws:kms:us-east-1:${A}:key/1234abcd`,
    ],
    [
      `arn:aws:secretsmanager:us-east-1:${A}:secret:token-AbCdEf`,
      'AWS::SecretsManager::Secret',
      `arn:aws:secretsmanager:us-east-1:${A}:secret:token-AbCdEf`,
    ],
    [
      `arn:aws:codeconnections:us-east-1:${A}:connection/abc`,
      'AWS::CodeConnections::Connection',
      `arn:aws:codeconnections:us-east-1:${A}:connection/abc`,
    ],
    ['arn:aws:s3:::artifacts', 'AWS::S3::Bucket', 'artifacts'],
    ['arn:aws:s3:::artifacts/p/out.zip', 'AWS::S3::Object', 'arn:aws:s3:::artifacts/p/out.zip'],
    [`arn:aws:codebuild:us-east-1:${A}:project/build`, 'AWS::CodeBuild::Project', 'build'],
  ])('%s is a %s named %s', (arn, type, name) => {
    const [resource, ...more] = auditResourcesOf(arn);
    expect(more).toEqual([]);
    expect(resource).toMatchObject({ ARN: arn, type, name });
    expect(resource?.accountId).toBe(arn.startsWith('arn:aws:s3:') ? undefined : A);
  });

  it('names nothing for *, a wildcard, no ARN or something that is not one', () => {
    for (const arn of ['*', `arn:aws:codepipeline:us-east-1:${A}:*`, undefined, 'nope']) {
      expect(auditResourcesOf(arn)).toEqual([]);
    }
  });

  it('keeps an ARN of a kind it does not list, typed after its service', () => {
    const arn = `arn:aws:lockstep:us-east-1:${A}:thing/x`;
    expect(auditResourcesOf(arn)).toEqual([
      { ARN: arn, accountId: A, type: 'AWS::Lockstep::Resource', name: arn },
    ]);
  });
});
