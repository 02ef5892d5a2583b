/**
 * Seeds a server with realistic pipelines so that GetPipeline returns a real declaration and
 * ListPipelines a real page: a three-stage CodeCommit → CodeBuild → CodeBuild declaration
 * adapted from one of the public AWS samples in test/fixtures/pipelines/, under unique names.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sendSigned, type SignedCall } from './signed-request.js';

const FIXTURE = 'cfn__aws-codepipeline-multi-branch-strategy__TemplatePipeline__Pipeline.json';
// The sample has four stages; dropping the homologation deploy leaves source, build, deploy.
const DROPPED_STAGE = 'Deploy-Homolog';

interface StageLike {
  name?: unknown;
  actions?: { runOrder?: unknown }[];
}

/** The seeded pipelines' names, in the order ListPipelines returns them. */
export function seededNames(count: number): string[] {
  const width = String(count - 1).length;
  return Array.from(
    { length: count },
    (_, i) => `bench-pipeline-${String(i).padStart(width, '0')}`,
  );
}

/** Creates `count` pipelines through the signed API; throws on any non-200. */
export async function seedPipelines(
  repoRoot: string,
  call: Omit<SignedCall, 'target' | 'body'>,
  count: number,
): Promise<string[]> {
  const text = await readFile(
    path.join(repoRoot, 'test', 'fixtures', 'pipelines', FIXTURE),
    'utf8',
  );
  const fixture = JSON.parse(text) as {
    pipeline: { stages: StageLike[] } & Record<string, unknown>;
  };
  const stages = fixture.pipeline.stages
    .filter((stage) => stage.name !== DROPPED_STAGE)
    .map((stage) => ({
      ...stage,
      actions: (stage.actions ?? []).map((action) => ({ ...action, runOrder: 1 })),
    }));
  const names = seededNames(count);
  for (const name of names) {
    const body = { pipeline: { ...fixture.pipeline, name, stages } };
    const response = await sendSigned({
      ...call,
      target: 'CodePipeline_20150709.CreatePipeline',
      body: Buffer.from(JSON.stringify(body), 'utf8'),
    });
    if (response.statusCode !== 200) {
      throw new Error(
        `CreatePipeline ${name} answered ${response.statusCode}: ${response.body.toString('utf8')}`,
      );
    }
  }
  return names;
}
