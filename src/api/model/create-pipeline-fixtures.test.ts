import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ServiceModel } from './service-model.js';

// The realistic declarations in test/fixtures/pipelines (see its README): every one is a
// CreatePipeline input, and only the two whose roleArn is a documentation placeholder fail.
const MODEL_URL = new URL(
  '../../../models/codepipeline/2015-07-09/service-2.json',
  import.meta.url,
);
const FIXTURES_URL = new URL('../../../test/fixtures/pipelines/', import.meta.url);
const model = ServiceModel.load(MODEL_URL);

const ROLE_ARN_PATTERN = 'arn:aws(-[\\w]+)*:iam::[0-9]{12}:role/.*';
const EXPECTED_FAILURES: Record<string, string> = {
  'awsdocs-userguide__pipelines-create__MyFirstPipeline.json': `1 validation error detected: Value 'arn:aws:iam::80398EXAMPLE::role/AWS-CodePipeline-Service' at 'pipeline.roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ROLE_ARN_PATTERN}`,
  'awsdocs-userguide__actions-create-cross-region__AnyCompanyPipeline.json': `1 validation error detected: Value 'ARN' at 'pipeline.roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ROLE_ARN_PATTERN}`,
};

const files = readdirSync(FIXTURES_URL).filter((file) => file.endsWith('.json'));
const load = (file: string): unknown =>
  JSON.parse(readFileSync(new URL(file, FIXTURES_URL), 'utf8'));

describe('CreatePipeline input from the pipeline fixtures', () => {
  it('finds all eleven fixtures, including both expected failures', () => {
    expect(files).toHaveLength(11);
    expect(files).toEqual(expect.arrayContaining(Object.keys(EXPECTED_FAILURES)));
  });

  it.each(files.filter((file) => !(file in EXPECTED_FAILURES)))(
    '%s validates and comes back intact',
    (file) => {
      const body = load(file);
      expect(model.parseInput('CreatePipeline', body)).toEqual(body);
    },
  );

  it.each(Object.entries(EXPECTED_FAILURES))('%s fails on its roleArn alone', (file, message) => {
    const body = load(file);
    expect(() => model.parseInput('CreatePipeline', body)).toThrow(
      expect.objectContaining({ code: 'ValidationException', message }),
    );
  });

  it('accepts those two once their roleArn is a real role ARN', () => {
    for (const file of Object.keys(EXPECTED_FAILURES)) {
      const body = load(file) as { pipeline: { roleArn: string } };
      body.pipeline.roleArn = 'arn:aws:iam::123456789012:role/CodePipelineRole';
      expect(model.parseInput('CreatePipeline', body)).toEqual(body);
    }
  });
});
