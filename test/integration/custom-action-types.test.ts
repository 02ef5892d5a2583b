/**
 * Custom action types through the real API: registered, listed, used by a declaration,
 * tagged, deleted (after which the version can never be reused), and refused when their
 * properties break CodePipeline's rules.
 */
import {
  CreateCustomActionTypeCommand,
  CreatePipelineCommand,
  DeleteCustomActionTypeCommand,
  GetPipelineCommand,
  ListActionTypesCommand,
  ListTagsForResourceCommand,
  type PipelineDeclaration,
} from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture } from '../e2e/support/pipeline-fixtures.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';

const FIXTURE = 'floci-test__custom-worker-pipeline.json';
const artifacts = { minimumCount: 0, maximumCount: 5 };

/** True for a ValidationException whose message contains `part`. */
function validationError(part: string) {
  return (error: Error) => error.name === 'ValidationException' && error.message.includes(part);
}

describe('custom action types', () => {
  let t: TestServer;
  beforeAll(async () => (t = await startTestServer()));
  afterAll(() => t.stop());

  function fixture(): PipelineDeclaration {
    return loadFixture(FIXTURE).pipeline;
  }

  it('refuses a pipeline that uses a custom type nobody registered', async () => {
    await expect(
      t.client.send(new CreatePipelineCommand({ pipeline: fixture() })),
    ).rejects.toMatchObject({
      name: 'InvalidActionDeclarationException',
    });
  });

  it('registers a type, lists it, and lets the custom-worker fixture use it', async () => {
    const created = await t.client.send(
      new CreateCustomActionTypeCommand({
        category: 'Build',
        provider: 'FlociWorker',
        version: '1',
        inputArtifactDetails: artifacts,
        outputArtifactDetails: artifacts,
        tags: [{ key: 'team', value: 'build' }],
      }),
    );
    expect(created.actionType?.id).toEqual({
      category: 'Build',
      owner: 'Custom',
      provider: 'FlociWorker',
      version: '1',
    });
    const listed = await t.client.send(new ListActionTypesCommand({ actionOwnerFilter: 'Custom' }));
    expect(listed.actionTypes?.map((a) => a.id?.provider)).toEqual(['FlociWorker']);
    const arn = 'arn:aws:codepipeline:us-east-1:123456789012:actiontype:Custom/Build/FlociWorker/1';
    const tags = await t.client.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    expect(tags.tags).toEqual([{ key: 'team', value: 'build' }]);

    const decl = fixture();
    await t.client.send(new CreatePipelineCommand({ pipeline: decl }));
    const got = await t.client.send(new GetPipelineCommand({ name: decl.name }));
    expect(got.pipeline?.stages?.[1]?.actions?.[0]?.actionTypeId?.owner).toBe('Custom');
  });

  it('masks secret properties of a custom type in GetPipeline', async () => {
    await t.client.send(
      new CreateCustomActionTypeCommand({
        category: 'Deploy',
        provider: 'SecretDeployer',
        version: '1',
        configurationProperties: [
          { name: 'Target', required: true, key: true, secret: false, queryable: true },
          { name: 'ApiToken', required: true, key: false, secret: true },
        ],
        settings: { entityUrlTemplate: 'https://deploy.example/{Config:Target}' },
        inputArtifactDetails: { minimumCount: 1, maximumCount: 1 },
        outputArtifactDetails: { minimumCount: 0, maximumCount: 0 },
      }),
    );
    const decl = fixture();
    decl.name = 'secret-custom';
    decl.stages![1] = {
      name: 'Deploy',
      actions: [
        {
          name: 'Ship',
          actionTypeId: {
            category: 'Deploy',
            owner: 'Custom',
            provider: 'SecretDeployer',
            version: '1',
          },
          configuration: { Target: 'prod', ApiToken: 'not-a-real-token-123' },
          inputArtifacts: [{ name: 'SourceOutput' }],
        },
      ],
    };
    const created = await t.client.send(new CreatePipelineCommand({ pipeline: decl }));
    expect(created.pipeline?.stages?.[1]?.actions?.[0]?.configuration).toEqual({
      Target: 'prod',
      ApiToken: '****',
    });
    const got = await t.client.send(new GetPipelineCommand({ name: 'secret-custom' }));
    expect(JSON.stringify(got.pipeline)).not.toContain('not-a-real-token-123');
  });

  it('refuses a queryable secret property and a template naming a secret', async () => {
    const base = {
      category: 'Test' as const,
      provider: 'Bad',
      inputArtifactDetails: artifacts,
      outputArtifactDetails: artifacts,
    };
    await expect(
      t.client.send(
        new CreateCustomActionTypeCommand({
          ...base,
          version: '1',
          configurationProperties: [
            { name: 'Q', required: true, key: true, secret: true, queryable: true },
          ],
        }),
      ),
    ).rejects.toSatisfy(validationError("'Q'"));
    await expect(
      t.client.send(
        new CreateCustomActionTypeCommand({
          ...base,
          version: '2',
          configurationProperties: [{ name: 'Token', required: true, key: false, secret: true }],
          settings: { executionUrlTemplate: 'https://x.example/{Config:Token}' },
        }),
      ),
    ).rejects.toSatisfy(validationError('{Config:Token}'));
  });

  it('deletes a type, after which it is not listed and its version cannot be reused', async () => {
    const id = { category: 'Build' as const, provider: 'Ephemeral', version: '7' };
    const create = new CreateCustomActionTypeCommand({
      ...id,
      inputArtifactDetails: artifacts,
      outputArtifactDetails: artifacts,
    });
    await t.client.send(create);
    await t.client.send(new DeleteCustomActionTypeCommand(id));
    const listed = await t.client.send(new ListActionTypesCommand({ actionOwnerFilter: 'Custom' }));
    expect(listed.actionTypes?.map((a) => a.id?.provider)).not.toContain('Ephemeral');
    await expect(t.client.send(create)).rejects.toSatisfy(validationError('can be used only once'));
    await expect(t.client.send(new DeleteCustomActionTypeCommand(id))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    expect(t.loggedErrors).toEqual([]);
  });
});
