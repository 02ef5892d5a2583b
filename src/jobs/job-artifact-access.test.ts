import { describe, expect, it } from 'vitest';
import { ServiceModel } from '../api/model/service-model.js';
import { evaluatePolicies } from '../iam/policy/evaluate-policies.js';
import { parsePolicyDocument } from '../iam/policy/parse-policy-document.js';
import { artifactSessionPolicy } from './job-artifact-access.js';
import type { WireArtifact, WireJobData } from './job-data.js';

const artifact = (name: string, objectKey: string): WireArtifact => ({
  name,
  location: { type: 'S3', s3Location: { bucketName: 'artifacts', objectKey } },
});

const jobData = (extra: Partial<WireJobData> = {}): WireJobData => ({
  actionTypeId: { category: 'Build', owner: 'Custom', provider: 'Worker', version: '1' },
  actionConfiguration: { configuration: {} },
  pipelineContext: {
    pipelineName: 'app',
    stage: { name: 'Build' },
    action: { name: 'Work', actionExecutionId: 'a1' },
    pipelineArn: 'arn:aws:codepipeline:us-east-1:123456789012:app',
    pipelineExecutionId: 'e1',
  },
  inputArtifacts: [artifact('Code', 'app/e1/Code')],
  outputArtifacts: [artifact('Built', 'app/e1/Built')],
  ...extra,
});

/** What the session policy alone decides for `action` on `resource`. */
function decide(policy: string, action: string, resource: string): string {
  return evaluatePolicies({
    identityPolicies: [parsePolicyDocument(policy)],
    context: {
      principalArn: 'arn:aws:sts::123456789012:assumed-role/pipeline/s',
      action,
      resource,
      conditionKeys: {},
    },
  }).decision;
}

describe('artifactSessionPolicy', () => {
  it("allows reading the job's inputs and writing its outputs, and nothing else", () => {
    const policy = artifactSessionPolicy(jobData()) ?? '';
    expect(decide(policy, 's3:GetObject', 'arn:aws:s3:::artifacts/app/e1/Code')).toBe('Allow');
    expect(decide(policy, 's3:PutObject', 'arn:aws:s3:::artifacts/app/e1/Built')).toBe('Allow');
    expect(decide(policy, 's3:PutObject', 'arn:aws:s3:::artifacts/app/e1/Code')).not.toBe('Allow');
    expect(decide(policy, 's3:GetObject', 'arn:aws:s3:::artifacts/app/e0/Code')).not.toBe('Allow');
    expect(decide(policy, 's3:DeleteObject', 'arn:aws:s3:::artifacts/app/e1/Built')).not.toBe(
      'Allow',
    );
    expect(decide(policy, 'kms:Decrypt', '*')).not.toBe('Allow');
  });

  it("lets S3 use the pipeline's own key on the worker's behalf when there is one", () => {
    const policy =
      artifactSessionPolicy(jobData({ encryptionKey: { id: 'alias/app', type: 'KMS' } })) ?? '';
    const key = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(decide(policy, 'kms:Decrypt', key)).toBe('Allow');
    expect(decide(policy, 'kms:GenerateDataKey', key)).toBe('Allow');
  });

  it('gives no credentials to a job without artifacts', () => {
    expect(artifactSessionPolicy(jobData({ inputArtifacts: [], outputArtifacts: [] }))).toBe(
      undefined,
    );
  });
});

describe('artifactCredentials in the audit trail', () => {
  const model = ServiceModel.load(
    new URL('../../models/codepipeline/2015-07-09/service-2.json', import.meta.url),
  );
  const credentials = { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'SECRET', sessionToken: 'T' };
  const data = { ...jobData(), artifactCredentials: credentials };

  it('are hidden by the service model wherever a job data is returned', () => {
    const outputs: [string, unknown][] = [
      ['PollForJobs', { jobs: [{ id: 'j', data }] }],
      ['GetJobDetails', { jobDetails: { id: 'j', data } }],
      ['GetThirdPartyJobDetails', { jobDetails: { id: 'j', data } }],
    ];
    for (const [operation, output] of outputs) {
      const kept = JSON.stringify(model.hideSensitive(operation, 'output', output));
      expect(kept, operation).not.toContain('SECRET');
      expect(kept, operation).not.toContain('ASIAEXAMPLE');
    }
  });
});
