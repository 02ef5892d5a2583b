/**
 * A token pasted into a declaration: CreatePipeline refuses it with CodePipeline's
 * InvalidStructureException and a way out (a secret), the token reaches neither the answer nor
 * the audit trail, and an operator who opts out (LOCKSTEP_ALLOW_PLAINTEXT_CREDENTIALS) can
 * still create such a pipeline.
 */
import { CreatePipelineCommand, type PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { afterAll, describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/store/open-state-store.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import { PIPELINE_ROLE_ARN } from '../support/pipeline-role.js';

// Assembled at run time so that this file holds no credential-shaped literal.
const TOKEN = ['glpat', '-', 'Qm7Rt2Wx9Zp4Lk8Vn3Bc'].join('');

function declaration(name: string): PipelineDeclaration {
  return {
    name,
    pipelineType: 'V2',
    roleArn: PIPELINE_ROLE_ARN,
    artifactStore: { type: 'S3', location: 'artifacts' },
    stages: [
      {
        name: 'Source',
        actions: [
          {
            name: 'Upload',
            actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' },
            configuration: { S3Bucket: 'sources', S3ObjectKey: 'app.zip' },
            outputArtifacts: [{ name: 'Src' }],
          },
        ],
      },
      {
        name: 'Build',
        actions: [
          {
            name: 'Clone',
            actionTypeId: { category: 'Compute', owner: 'AWS', provider: 'Commands', version: '1' },
            inputArtifacts: [{ name: 'Src' }],
            commands: [`git clone https://oauth2:${TOKEN}@gitlab.example.com/acme/app.git`],
          },
        ],
      },
    ],
  };
}

const servers: TestServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.stop())));

describe('credentials written into a declaration', () => {
  it('are refused with a way to use a secret, and never stored or echoed', async () => {
    const t = await startTestServer();
    servers.push(t);
    const refused = await t.client
      .send(new CreatePipelineCommand({ pipeline: declaration('pasted') }))
      .then(
        () => undefined,
        (error: Error) => error,
      );
    expect(refused?.name).toBe('InvalidStructureException');
    expect(refused?.message).toContain("command 1 of action 'Clone' of stage 'Build'");
    expect(refused?.message).toContain('looks like a GitLab');
    expect(refused?.message).toContain('aws secretsmanager create-secret');
    expect(refused?.message).not.toContain(TOKEN);

    const store = await openStateStore({ dataDir: t.dataDir });
    try {
      const records = await store.listAudit(0, 1_000);
      const create = records.find((r) => r.eventName === 'CreatePipeline');
      expect(create?.errorCode).toBe('InvalidStructureException');
      expect(create?.requestParametersJson).toContain('git clone https://oauth2:***@gitlab');
      expect(JSON.stringify(records)).not.toContain(TOKEN);
      expect(await store.getPipeline('pasted')).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('are accepted when the operator allows them', async () => {
    const t = await startTestServer({ env: { LOCKSTEP_ALLOW_PLAINTEXT_CREDENTIALS: 'true' } });
    servers.push(t);
    const created = await t.client.send(
      new CreatePipelineCommand({ pipeline: declaration('allowed') }),
    );
    expect(created.pipeline?.stages?.[1]?.actions?.[0]?.commands?.[0]).toContain(TOKEN);
  });
});
