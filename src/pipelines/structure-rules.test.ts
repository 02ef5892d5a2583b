import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LockstepError } from '../errors/lockstep-error.js';
import type { ActionTypeEntry } from './action-type-catalogue.js';
import { findBuiltInActionType } from './action-type-catalogue.js';
import type { ActionDeclaration, ActionTypeId, PipelineDeclaration } from './declaration.js';
import type { StructureContext } from './structure-rules.js';
import { checkPipelineStructure } from './structure-rules.js';

const FIXTURES = new URL('../../test/fixtures/pipelines/', import.meta.url);

// The custom-worker fixture's Build action is a Custom type that a worker registered first.
const FLOCI_WORKER: ActionTypeEntry = {
  actionType: {
    id: { category: 'Build', owner: 'Custom', provider: 'FlociWorker', version: '1' },
    actionConfigurationProperties: [],
    inputArtifactDetails: { minimumCount: 1, maximumCount: 1 },
    outputArtifactDetails: { minimumCount: 0, maximumCount: 0 },
  },
  requiresV2: false,
};

function context(region = 'us-east-1', custom: ActionTypeEntry[] = []): StructureContext {
  const findActionType = (id: ActionTypeId) =>
    findBuiltInActionType(id) ??
    custom.find((entry) => JSON.stringify(entry.actionType.id) === JSON.stringify(id));
  return { region, findActionType };
}

function fixture(file: string): PipelineDeclaration {
  const doc = JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as {
    pipeline: PipelineDeclaration;
  };
  return doc.pipeline;
}

// Cross-region fixtures: artifactStores must hold the pipeline's own region, so each is checked
// from the region its source sets it up in. AnyCompanyPipeline lives in us-west-2 (its unsuffixed
// bucket) and deploys to us-east-1; MultiRegionPipeline's PrimaryRegionDeploy is us-east-1.
const FIXTURE_REGIONS: Record<string, string> = {
  'awsdocs-userguide__actions-create-cross-region__AnyCompanyPipeline.json': 'us-west-2',
};

function s3Source(name: string, output: string): ActionDeclaration {
  return {
    name,
    actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' },
    configuration: { S3Bucket: 'bucket', S3ObjectKey: 'app.zip' },
    outputArtifacts: [{ name: output }],
  };
}

function codeBuild(name: string, input: string, output?: string, runOrder = 1): ActionDeclaration {
  return {
    name,
    runOrder,
    actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
    configuration: { ProjectName: 'project' },
    inputArtifacts: [{ name: input }],
    outputArtifacts: output === undefined ? [] : [{ name: output }],
  };
}

const MANUAL: ActionDeclaration = {
  name: 'Approve',
  actionTypeId: { category: 'Approval', owner: 'AWS', provider: 'Manual', version: '1' },
};

const COMMANDS: ActionDeclaration = {
  name: 'Run',
  actionTypeId: { category: 'Compute', owner: 'AWS', provider: 'Commands', version: '1' },
  commands: ['make test'],
  inputArtifacts: [{ name: 'Src' }],
  outputVariables: ['RESULT'],
};

function base(buildActions: ActionDeclaration[] = [codeBuild('Build', 'Src', 'Out')]) {
  const decl: PipelineDeclaration = {
    name: 'p',
    roleArn: 'arn:aws:iam::123456789012:role/r',
    artifactStore: { type: 'S3', location: 'bucket' },
    stages: [
      { name: 'Source', actions: [s3Source('Fetch', 'Src')] },
      { name: 'Build', actions: buildActions },
    ],
  };
  return decl;
}

function withAction(patch: Partial<ActionDeclaration>): PipelineDeclaration {
  return base([{ ...codeBuild('Build', 'Src', 'Out'), ...patch }]);
}

function crossRegion(action: ActionDeclaration): PipelineDeclaration {
  const decl = base([action]);
  delete decl.artifactStore;
  decl.artifactStores = { 'us-east-1': { type: 'S3', location: 'b1' } };
  return decl;
}

function rejection(decl: PipelineDeclaration, ctx = context()): [string, string] {
  try {
    checkPipelineStructure(decl, ctx);
  } catch (error) {
    if (error instanceof LockstepError) return [error.code, error.message];
    throw error;
  }
  throw new Error('expected checkPipelineStructure to throw');
}

describe('checkPipelineStructure on the realistic fixtures', () => {
  const files = readdirSync(FIXTURES).filter((file) => file.endsWith('.json'));

  it('finds all eleven fixtures', () => {
    expect(files).toHaveLength(11);
  });

  it.each(files)('accepts %s', (file) => {
    const ctx = context(FIXTURE_REGIONS[file] ?? 'us-east-1', [FLOCI_WORKER]);
    expect(() => checkPipelineStructure(fixture(file), ctx)).not.toThrow();
  });

  it('refuses the custom-worker fixture when its Custom type is not registered', () => {
    expect(rejection(fixture('floci-test__custom-worker-pipeline.json'))).toEqual([
      'InvalidActionDeclarationException',
      "ActionType (Category: 'Build', Provider: 'FlociWorker', Owner: 'Custom', Version: '1') in action 'WorkerBuild' is not available in region 'US_EAST_1'",
    ]);
  });

  it('refuses the cross-region docs fixture from a region it has no artifact store for', () => {
    const decl = fixture('awsdocs-userguide__actions-create-cross-region__AnyCompanyPipeline.json');
    expect(rejection(decl, context('eu-west-1'))).toEqual([
      'InvalidStructureException',
      "artifactStores must contain an artifact store for the pipeline's region 'eu-west-1'",
    ]);
  });
});

describe('checkPipelineStructure accepts', () => {
  it.each<[string, () => PipelineDeclaration]>([
    [
      'an input produced in the same stage at a lower runOrder',
      () => base([codeBuild('A', 'Src', 'Mid'), codeBuild('B', 'Mid', undefined, 2)]),
    ],
    ['timeoutInMinutes on a Manual approval', () => base([{ ...MANUAL, timeoutInMinutes: 60 }])],
    ['a Commands action in a V2 pipeline', () => ({ ...base([COMMANDS]), pipelineType: 'V2' })],
    [
      'a cross-region action whose region has an artifact store',
      () => crossRegion({ ...codeBuild('Build', 'Src'), region: 'us-east-1' }),
    ],
  ])('%s', (_title, build) => {
    expect(() => checkPipelineStructure(build(), context())).not.toThrow();
  });
});

function many<T>(count: number, make: (i: number) => T): T[] {
  return Array.from({ length: count }, (_, i) => make(i));
}

describe('checkPipelineStructure refuses', () => {
  it.each<[string, () => PipelineDeclaration, string, string]>([
    [
      'a single stage',
      () => ({ ...base(), stages: base().stages.slice(0, 1) }),
      'InvalidStructureException',
      'Pipeline has only 1 stage(s). There should be a minimum of 2 stages in a pipeline',
    ],
    [
      '51 stages',
      () => {
        const decl = base();
        const builds = many(50, (i) => ({ name: `B${i}`, actions: [codeBuild('Build', 'Src')] }));
        return { ...decl, stages: [decl.stages[0]!, ...builds] };
      },
      'InvalidStructureException',
      'Pipeline has 51 stage(s). There should be a maximum of 50 stages in a pipeline',
    ],
    [
      'two stages with one name',
      () => {
        const decl = base();
        decl.stages.push({ name: 'Build', actions: [codeBuild('Again', 'Src')] });
        return decl;
      },
      'InvalidStructureException',
      "Pipeline has more than one stage named 'Build'. Stage names must be unique within a pipeline",
    ],
    [
      'a stage without actions',
      () => base([]),
      'InvalidStageDeclarationException',
      "Stage 'Build' has 0 action(s). A stage must have between 1 and 50 actions",
    ],
    [
      'a stage with 51 actions',
      () => base(many(51, (i) => codeBuild(`B${i}`, 'Src'))),
      'InvalidStageDeclarationException',
      "Stage 'Build' has 51 action(s). A stage must have between 1 and 50 actions",
    ],
    [
      'more than 500 actions',
      () => {
        const decl = base();
        const builds = many(10, (s) => ({
          name: `Build${s}`,
          actions: many(50, (i) => codeBuild(`B${i}`, 'Src')),
        }));
        return { ...decl, stages: [decl.stages[0]!, ...builds] };
      },
      'InvalidStructureException',
      'Pipeline has 501 actions. There should be a maximum of 500 actions in a pipeline',
    ],
    [
      'two actions with one name in a stage',
      () => base([codeBuild('Build', 'Src'), codeBuild('Build', 'Src')]),
      'InvalidStageDeclarationException',
      "Stage 'Build' has more than one action named 'Build'. Action names must be unique within a stage",
    ],
    [
      'a non-Source action in the first stage',
      () => {
        const decl = base();
        decl.stages[0]!.actions.push(codeBuild('Early', 'Src'));
        return decl;
      },
      'InvalidStageDeclarationException',
      "Stage 'Source' is the first stage and can contain only Source actions, but action 'Early' is in category 'Build'",
    ],
    [
      'a Source action after the first stage',
      () => base([s3Source('Late', 'Late')]),
      'InvalidStageDeclarationException',
      "Source action 'Late' is in stage 'Build'. Only the first stage of a pipeline can contain Source actions",
    ],
    [
      'runOrder 1000',
      () => withAction({ runOrder: 1000 }),
      'InvalidActionDeclarationException',
      "Action 'Build' has runOrder 1000. runOrder must be between 1 and 999",
    ],
    [
      'an input nobody produces',
      () => base([codeBuild('Build', 'Nowhere')]),
      'InvalidStructureException',
      'No Action in the Pipeline provides an input artifact named "Nowhere"',
    ],
    [
      'an input produced in parallel',
      () => base([codeBuild('A', 'Src', 'Mid'), codeBuild('B', 'Mid')]),
      'InvalidStructureException',
      `Action 'B' uses input artifact "Mid" before action 'A' produces it. An input artifact must be the output of an action that runs earlier`,
    ],
    [
      'an input produced in a later stage',
      () => {
        const decl = base([codeBuild('A', 'Later')]);
        decl.stages.push({ name: 'Test', actions: [codeBuild('T', 'Src', 'Later')] });
        return decl;
      },
      'InvalidStructureException',
      `Action 'A' uses input artifact "Later" before action 'T' produces it. An input artifact must be the output of an action that runs earlier`,
    ],
    [
      'two outputs with one name',
      () => base([codeBuild('A', 'Src', 'Src')]),
      'InvalidStructureException',
      "Output artifact name 'Src' is declared by both action 'Fetch' and action 'A'. Output artifact names must be unique within a pipeline",
    ],
    [
      'a namespace used twice',
      () =>
        base([
          { ...codeBuild('A', 'Src'), namespace: 'NS' },
          { ...codeBuild('B', 'Src'), namespace: 'NS' },
        ]),
      'InvalidStructureException',
      "Namespace 'NS' is used by both action 'A' and action 'B'. Namespaces must be unique within a pipeline",
    ],
    [
      'a namespace named like an artifact',
      () => withAction({ namespace: 'Out' }),
      'InvalidStructureException',
      "Namespace 'Out' of action 'Build' is also the name of an output artifact. A namespace cannot have the same name as an artifact",
    ],
    [
      'both artifactStore and artifactStores',
      () => ({
        ...base(),
        artifactStores: { 'us-east-1': { type: 'S3', location: 'b' } },
      }),
      'InvalidStructureException',
      'Pipeline must specify exactly one of artifactStore or artifactStores, not both or neither',
    ],
    [
      'neither artifactStore nor artifactStores',
      () => {
        const decl = base();
        delete decl.artifactStore;
        return decl;
      },
      'InvalidStructureException',
      'Pipeline must specify exactly one of artifactStore or artifactStores, not both or neither',
    ],
    [
      'artifactStores without the pipeline region',
      () => {
        const decl = crossRegion(codeBuild('Build', 'Src'));
        decl.artifactStores = { 'us-west-2': { type: 'S3', location: 'b2' } };
        return decl;
      },
      'InvalidStructureException',
      "artifactStores must contain an artifact store for the pipeline's region 'us-east-1'",
    ],
    [
      'an action region without artifactStores',
      () => withAction({ region: 'us-east-1' }),
      'InvalidActionDeclarationException',
      "Action 'Build' sets region 'us-east-1'. A pipeline with cross-region actions must use artifactStores, with one artifact store per region, instead of artifactStore",
    ],
    [
      'an action region with no artifact store',
      () => crossRegion({ ...codeBuild('Build', 'Src'), region: 'eu-west-1' }),
      'InvalidActionDeclarationException',
      "Action 'Build' runs in region 'eu-west-1', but artifactStores has no artifact store for that region",
    ],
    [
      'a region on a Source action',
      () => {
        const decl = crossRegion(codeBuild('Build', 'Src'));
        decl.stages[0]!.actions[0]!.region = 'us-east-1';
        return decl;
      },
      'InvalidActionDeclarationException',
      "Action 'Fetch' cannot set region. Source, ThirdParty and Custom actions cannot be cross-region actions",
    ],
    [
      'an unknown action type',
      () =>
        withAction({
          actionTypeId: { category: 'Build', owner: 'AWS', provider: 'Foo', version: '1' },
        }),
      'InvalidActionDeclarationException',
      "ActionType (Category: 'Build', Provider: 'Foo', Owner: 'AWS', Version: '1') in action 'Build' is not available in region 'US_EAST_1'",
    ],
    [
      'too few input artifacts',
      () => withAction({ inputArtifacts: [] }),
      'InvalidActionDeclarationException',
      'Action Build declares 0 input artifacts which is less than the minimum count (1)',
    ],
    [
      'too many output artifacts',
      () => base([{ ...MANUAL, outputArtifacts: [{ name: 'X' }] }]),
      'InvalidActionDeclarationException',
      'Action Approve declares 1 output artifacts which is greater than the maximum count (0)',
    ],
    [
      'a missing required configuration property',
      () => withAction({ configuration: {} }),
      'InvalidActionDeclarationException',
      "Action configuration for action 'Build' is missing required configuration 'ProjectName'",
    ],
    [
      'an unknown configuration key',
      () => withAction({ configuration: { ProjectName: 'p', BuildSpec: 'x' } }),
      'InvalidActionDeclarationException',
      "Action configuration for action 'Build' contains unknown configuration 'BuildSpec'",
    ],
    [
      'timeoutInMinutes outside Manual approval',
      () => withAction({ timeoutInMinutes: 30 }),
      'InvalidActionDeclarationException',
      "Action 'Build' cannot set timeoutInMinutes. Only Manual approval actions support timeoutInMinutes",
    ],
    [
      'commands outside Commands',
      () => withAction({ commands: ['ls'] }),
      'InvalidActionDeclarationException',
      'The following action cannot contain a commands field: Build. To use the commands field, use a compute action.',
    ],
    [
      'a Commands action without commands',
      () => ({ ...base([{ ...COMMANDS, commands: [] }]), pipelineType: 'V2' }),
      'InvalidActionDeclarationException',
      "Action 'Run' is a Commands action and must declare commands",
    ],
    [
      'outputVariables outside Commands',
      () => withAction({ outputVariables: ['X'] }),
      'InvalidActionDeclarationException',
      'The following action cannot contain an outputVariables field: Build. Only Commands actions export output variables.',
    ],
    [
      'output files outside Commands',
      () => withAction({ outputArtifacts: [{ name: 'Out', files: ['a.txt'] }] }),
      'InvalidActionDeclarationException',
      "Output artifact 'Out' of action 'Build' lists files. Only Commands actions can list output files",
    ],
    [
      'a V2-only action type in a V1 pipeline',
      () => base([COMMANDS]),
      'InvalidStructureException',
      "ActionType (Category: 'Compute', Provider: 'Commands', Owner: 'AWS', Version: '1') in action 'Run' can only be used in a pipeline of type V2. Set pipelineType to V2 to use it",
    ],
    [
      'variables in a V1 pipeline',
      () => ({ ...base(), variables: [{ name: 'V' }] }),
      'InvalidStructureException',
      'Pipeline-level variables can only be used in a pipeline of type V2. Set pipelineType to V2 to use it',
    ],
    [
      'triggers in a V1 pipeline',
      () => ({ ...base(), pipelineType: 'V1', triggers: [{}] }),
      'InvalidStructureException',
      'Triggers can only be used in a pipeline of type V2. Set pipelineType to V2 to use it',
    ],
    [
      'QUEUED mode in a V1 pipeline',
      () => ({ ...base(), executionMode: 'QUEUED' }),
      'InvalidStructureException',
      'Execution mode QUEUED can only be used in a pipeline of type V2. Set pipelineType to V2 to use it',
    ],
    [
      'a stage condition in a V1 pipeline',
      () => {
        const decl = base();
        decl.stages[1]!.onFailure = { result: 'ROLLBACK' };
        return decl;
      },
      'InvalidStructureException',
      "Stage condition onFailure (in stage 'Build') can only be used in a pipeline of type V2. Set pipelineType to V2 to use it",
    ],
  ])('%s', (_title, build, name, message) => {
    expect(rejection(build())).toEqual([name, message]);
  });

  it('a Custom action with a region', () => {
    const decl = crossRegion({ ...codeBuild('Work', 'Src'), region: 'us-east-1' });
    decl.stages[1]!.actions[0]!.actionTypeId = FLOCI_WORKER.actionType.id;
    delete decl.stages[1]!.actions[0]!.configuration;
    expect(rejection(decl, context('us-east-1', [FLOCI_WORKER]))).toEqual([
      'InvalidActionDeclarationException',
      "Action 'Work' cannot set region. Source, ThirdParty and Custom actions cannot be cross-region actions",
    ]);
  });
});
