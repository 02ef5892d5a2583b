/**
 * The realistic declarations in test/fixtures/pipelines (see its README), and what CodePipeline
 * is documented to send back for each: the declaration as sent, plus its defaults, with secret
 * configuration masked. Written independently of src/ so a server bug cannot hide in both.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ActionDeclaration, PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { REPO_ROOT } from '../../support/repo-root.js';

export const FIXTURES_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'pipelines');

/** The fixtures a test names on purpose. */
export const FIXTURE = {
  /** The AWS CLI's own create-pipeline example: V1, S3 source to CodeDeploy. */
  mySecondPipeline: 'awscli-example__create-pipeline__MySecondPipeline.json',
  /** GitHub (v1, ThirdParty) source whose OAuthToken is a secret property. */
  ecsRefarch: 'cfn__ecs-refarch-continuous-deployment__deployment-pipeline__Pipeline.json',
  /** V2: pipelineType, executionMode, variables, triggers, namespace. */
  v2MyPipeline: 'derived__awsdocs-pipeline-requirements__V2-MyPipeline.json',
  /** artifactStores for three regions, including us-east-1, and cross-region actions. */
  multiRegion:
    'cfn__aws-codepipeline-cross-region-continuous-deployment__cross-region-code-pipeline__MultiRegionPipeline.json',
  /** Manual approval (runOrder 1) then CodeDeploy (runOrder 2) in one stage. */
  timeWindows: 'cfn__aws-codepipeline-time-windows__time-window-demo-resources__Pipeline.json',
} as const;

/**
 * Fixtures CodePipeline refuses, with the exception it gives. (The floci one declares an
 * `owner: Custom` action: valid once its type is registered with CreateCustomActionType, which
 * CUSTOM_ACTION_TYPES below describes; test/integration/custom-action-types.test.ts shows it
 * refused before that.)
 */
export const INVALID_FIXTURES: Readonly<Record<string, string>> = {
  // roleArn `arn:aws:iam::80398EXAMPLE::role/...` breaks the model's roleArn pattern.
  'awsdocs-userguide__pipelines-create__MyFirstPipeline.json': 'ValidationException',
  // roleArn is the documentation placeholder `ARN`.
  'awsdocs-userguide__actions-create-cross-region__AnyCompanyPipeline.json': 'ValidationException',
};

/** The custom action types the valid fixtures use; register them before creating those. */
export const CUSTOM_ACTION_TYPES = [
  {
    category: 'Build' as const,
    provider: 'FlociWorker',
    version: '1',
    inputArtifactDetails: { minimumCount: 0, maximumCount: 5 },
    outputArtifactDetails: { minimumCount: 0, maximumCount: 5 },
  },
];

export const ALL_FIXTURES = readdirSync(FIXTURES_DIR)
  .filter((file) => file.endsWith('.json'))
  .sort();

export const VALID_FIXTURES = ALL_FIXTURES.filter((file) => !(file in INVALID_FIXTURES));

/** The account every test server runs as. */
export const TEST_ACCOUNT = '123456789012';

/**
 * The fixture's path as published, whose service role may belong to the AWS account the
 * sample came from; CreatePipeline refuses such a role (it cannot be assumed here).
 */
export function publishedFixturePath(file: string): string {
  return path.join(FIXTURES_DIR, file);
}

/**
 * A fixture moved into the test account, as a user moving a pipeline to Lockstep would: the
 * service role keeps its path and name but lives in TEST_ACCOUNT, where test servers create it
 * (FIXTURE_ROLE_ARNS). A roleArn that is not an ARN of any account is left as published.
 */
export function loadFixture(file: string): { pipeline: PipelineDeclaration } {
  const doc = JSON.parse(readFileSync(publishedFixturePath(file), 'utf8')) as {
    pipeline: PipelineDeclaration;
  };
  doc.pipeline.roleArn = doc.pipeline.roleArn?.replace(
    /^arn:aws:iam::\d{12}:role\//,
    `arn:aws:iam::${TEST_ACCOUNT}:role/`,
  );
  return doc;
}

let localCopies: string | undefined;

/** The absolute path of loadFixture's document, for `--cli-input-json file://...`. */
export function fixturePath(file: string): string {
  localCopies ??= mkdtempSync(path.join(tmpdir(), 'lockstep-fixtures-'));
  const copy = path.join(localCopies, file);
  writeFileSync(copy, JSON.stringify(loadFixture(file), null, 2));
  return copy;
}

/** The service role of each valid fixture, in the test account. */
export const FIXTURE_ROLE_ARNS: readonly string[] = [
  ...new Set(VALID_FIXTURES.map((file) => loadFixture(file).pipeline.roleArn ?? '')),
];

/** Configuration properties CodePipeline never returns (`secret: true` in the action type). */
const SECRET_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  'Source/ThirdParty/GitHub/1': ['OAuthToken'],
};

/** What CodePipeline shows in place of a secret configuration value. */
export const SECRET_MASK = '****';

/**
 * The declaration GetPipeline should return for `decl` at `version`: exactly CodePipeline's
 * documented defaults where members are absent (runOrder 1, configuration {}, empty artifact
 * lists, pipelineType V1, executionMode SUPERSEDED), and secret configuration masked.
 */
export function expectedDeclaration(decl: PipelineDeclaration, version = 1): PipelineDeclaration {
  const copy = structuredClone(decl);
  copy.version = version;
  copy.pipelineType ??= 'V1';
  copy.executionMode ??= 'SUPERSEDED';
  for (const stage of copy.stages ?? []) {
    stage.actions = (stage.actions ?? []).map(expectedAction);
  }
  return copy;
}

function expectedAction(action: ActionDeclaration): ActionDeclaration {
  const result: ActionDeclaration = {
    ...action,
    runOrder: action.runOrder ?? 1,
    configuration: { ...(action.configuration ?? {}) },
    inputArtifacts: action.inputArtifacts ?? [],
    outputArtifacts: action.outputArtifacts ?? [],
  };
  const id = action.actionTypeId;
  const typeKey = `${id?.category}/${id?.owner}/${id?.provider}/${id?.version}`;
  for (const key of SECRET_PROPERTIES[typeKey] ?? []) {
    if (result.configuration && key in result.configuration)
      result.configuration[key] = SECRET_MASK;
  }
  return result;
}

/** The service role of minimalDeclaration. */
export const MINIMAL_DECLARATION_ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/CodePipelineRole`;

/** A small valid V1 declaration (S3 source, CodeBuild) named `name`, for tests that need many. */
export function minimalDeclaration(name: string): PipelineDeclaration {
  return {
    name,
    roleArn: MINIMAL_DECLARATION_ROLE,
    artifactStore: { type: 'S3', location: 'lockstep-e2e-artifacts' },
    stages: [
      {
        name: 'Source',
        actions: [
          {
            name: 'Source',
            actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' },
            configuration: { S3Bucket: 'lockstep-e2e-source', S3ObjectKey: 'source.zip' },
            outputArtifacts: [{ name: 'SourceOutput' }],
          },
        ],
      },
      {
        name: 'Build',
        actions: [
          {
            name: 'Build',
            actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
            configuration: { ProjectName: 'lockstep-e2e' },
            inputArtifacts: [{ name: 'SourceOutput' }],
          },
        ],
      },
    ],
  };
}
