import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LockstepError } from '../../errors/lockstep-error.js';
import { compileJavaPattern } from './java-pattern.js';
import { ServiceModel } from './service-model.js';

const MODEL_URL = new URL(
  '../../../models/codepipeline/2015-07-09/service-2.json',
  import.meta.url,
);
const model = ServiceModel.load(MODEL_URL);

/** The error `parseInput` throws, so a test can assert its code and exact message. */
function failure(operation: string, body: unknown): { code: string; message: string } {
  try {
    model.parseInput(operation, body);
  } catch (error) {
    if (error instanceof LockstepError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error(`${operation} accepted ${JSON.stringify(body)}`);
}

function validPipeline() {
  return {
    name: 'MyPipeline',
    roleArn: 'arn:aws:iam::123456789012:role/CodePipelineRole',
    artifactStore: { type: 'S3', location: 'my-bucket' },
    stages: [
      {
        name: 'Source',
        actions: [
          {
            name: 'Source',
            actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' },
            configuration: { S3Bucket: 'my-bucket', S3ObjectKey: 'app.zip' } as Record<
              string,
              string
            >,
            outputArtifacts: [{ name: 'SourceOutput' }],
          },
        ],
      },
    ],
  };
}

describe('ServiceModel with the CodePipeline model', () => {
  it('lists the 44 operations and their shapes', () => {
    expect(model.targetPrefix).toBe('CodePipeline_20150709');
    expect(model.operationNames).toHaveLength(44);
    expect(model.hasOperation('CreatePipeline')).toBe(true);
    expect(model.hasOperation('createPipeline')).toBe(false);
    expect(model.hasOperation('toString')).toBe(false);
    expect(model.operation('GetPipeline')).toMatchObject({
      inputShape: 'GetPipelineInput',
      outputShape: 'GetPipelineOutput',
    });
    expect(model.operation('GetPipeline')?.errors).toContain('PipelineNotFoundException');
  });

  it('compiles every pattern in the model', () => {
    const raw = JSON.parse(readFileSync(MODEL_URL, 'utf8')) as {
      shapes: Record<string, { pattern?: string }>;
    };
    const patterned = Object.entries(raw.shapes).filter(([, shape]) => shape.pattern);
    expect(patterned.length).toBeGreaterThan(30);
    for (const [name, shape] of patterned) {
      expect(() => compileJavaPattern(shape.pattern ?? '')).not.toThrow();
      const resolved = model.shape(name);
      expect(resolved?.type === 'string' && resolved.pattern).toBeInstanceOf(RegExp);
    }
  });

  it('accepts an empty ListPipelines request', () => {
    expect(model.parseInput('ListPipelines', {})).toEqual({});
    expect(model.parseInput('ListPipelines', undefined)).toEqual({});
  });

  it('reports a missing required member exactly as AWS does', () => {
    expect(failure('GetPipeline', {})).toEqual({
      code: 'ValidationException',
      message:
        "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
    });
    expect(failure('GetPipeline', { name: null }).message).toContain("Value null at 'name'");
  });

  it('reports a pipeline name that breaks the pattern', () => {
    const body = { pipeline: { ...validPipeline(), name: 'my pipeline' } };
    expect(failure('CreatePipeline', body).message).toBe(
      "1 validation error detected: Value 'my pipeline' at 'pipeline.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9.@\\-_]+",
    );
  });

  it('reports maxResults outside 1..1000', () => {
    expect(failure('ListPipelines', { maxResults: 0 }).message).toBe(
      "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    expect(failure('ListPipelines', { maxResults: 1001 }).message).toBe(
      "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
    );
    expect(model.parseInput('ListPipelines', { maxResults: 1000 })).toEqual({ maxResults: 1000 });
  });

  it('reports string length bounds in characters', () => {
    expect(failure('GetPipeline', { name: '' }).message).toBe(
      "2 validation errors detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9.@\\-_]+",
    );
    expect(failure('GetPipeline', { name: 'a'.repeat(101) }).message).toContain(
      'Member must have length less than or equal to 100',
    );
  });

  it('throws SerializationException naming the member and type for wrong JSON types', () => {
    expect(failure('ListPipelines', { maxResults: '12' })).toEqual({
      code: 'SerializationException',
      message: "Value '12' at 'maxResults' is not a valid integer",
    });
    expect(failure('ListPipelines', { maxResults: 1.5 }).message).toBe(
      "Value '1.5' at 'maxResults' is not a valid integer",
    );
    expect(failure('GetPipeline', { name: 12 }).message).toBe(
      "Value '12' at 'name' is not a valid string",
    );
    const stagesAsObject = { pipeline: { ...validPipeline(), stages: { name: 'x' } } };
    expect(failure('CreatePipeline', stagesAsObject).message).toBe(
      "Value '{name=x}' at 'pipeline.stages' is not a valid list",
    );
    expect(failure('CreatePipeline', { pipeline: [] }).message).toBe(
      "Value '[]' at 'pipeline' is not a valid object",
    );
    for (const body of [[], 'x', 7, null]) {
      expect(failure('ListPipelines', body)).toEqual({
        code: 'SerializationException',
        message: 'The request body is not a valid JSON object',
      });
    }
  });

  it('puts every violation in one message, counted', () => {
    const pipeline = { ...validPipeline(), name: 'bad name', roleArn: undefined };
    expect(failure('CreatePipeline', { pipeline }).message).toBe(
      "2 validation errors detected: Value 'bad name' at 'pipeline.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9.@\\-_]+; Value null at 'pipeline.roleArn' failed to satisfy constraint: Member must not be null",
    );
  });

  it('reports an enum violation with the value set', () => {
    const body = { pipeline: { ...validPipeline(), pipelineType: 'V3' } };
    expect(failure('CreatePipeline', body).message).toBe(
      "1 validation error detected: Value 'V3' at 'pipeline.pipelineType' failed to satisfy constraint: Member must satisfy enum value set: [V1, V2]",
    );
  });

  it('names list elements 1-based with .member, as AWS does', () => {
    const pipeline = validPipeline();
    const second = { ...structuredClone(pipeline.stages[0]!), name: 'Build' };
    second.actions[0]!.name = 'bad/name';
    pipeline.stages.push(second);
    expect(failure('CreatePipeline', { pipeline }).message).toBe(
      "1 validation error detected: Value 'bad/name' at 'pipeline.stages.2.member.actions.1.member.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9.@\\-_]+",
    );
  });

  it('names map values by key and reports bad keys once for the whole map', () => {
    const pipeline = validPipeline();
    pipeline.stages[0]!.actions[0]!.configuration = { S3Bucket: '', ['k'.repeat(51)]: 'v' };
    const { message } = failure('CreatePipeline', { pipeline });
    expect(message).toMatch(/^2 validation errors detected: /);
    expect(message).toContain(
      "at 'pipeline.stages.1.member.actions.1.member.configuration' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 50, Member must have length greater than or equal to 1]",
    );
    expect(message).toContain(
      "Value '' at 'pipeline.stages.1.member.actions.1.member.configuration.S3Bucket' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it('drops unknown members at every depth and keeps everything modelled', () => {
    const clean = validPipeline();
    const noisy = structuredClone(clean) as ReturnType<typeof validPipeline> & { extra?: unknown };
    noisy.extra = { secret: 'not stored' };
    Object.assign(noisy.artifactStore, { extra: 1 });
    Object.assign(noisy.stages[0]!, { extra: [1] });
    Object.assign(noisy.stages[0]!.actions[0]!, { extra: true });
    Object.assign(noisy.stages[0]!.actions[0]!.actionTypeId, { extra: 'x' });
    Object.assign(noisy.stages[0]!.actions[0]!.outputArtifacts[0]!, { extra: null });
    const parsed = model.parseInput('CreatePipeline', { pipeline: noisy, tags: [], extra: 1 });
    expect(parsed).toEqual({ pipeline: clean, tags: [] });
  });

  it('reads only own properties, so prototype names are not members', () => {
    const body = JSON.parse('{"__proto__": {"name": "Injected"}}') as unknown;
    expect(failure('GetPipeline', body).message).toContain("Value null at 'name'");
    expect(model.parseInput('GetPipeline', { name: 'p', constructor: 'x' })).toEqual({ name: 'p' });
  });

  it('refuses an unknown operation', () => {
    expect(failure('DeleteEverything', {}).code).toBe('UnknownOperationException');
  });
});
