/**
 * The V2 pipelines the execution benchmark runs: a git source stage, then Commands actions that
 * each run `true` on the source artifact. PARALLEL mode, so that concurrent runs of one
 * pipeline never wait for or supersede each other.
 */
import type { ActionDeclaration, PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { benchRoleArn } from './execution-role.js';
import type { GitConnection } from './git-connection.js';

/** CodePipeline's limit, which Lockstep enforces: the source stage leaves room for 49 more. */
const MAX_STAGES = 50;

/** The stage holding the source action, and the action's name. */
export const SOURCE_STAGE = 'Source';

/** How the Commands actions of a sequential pipeline follow each other. */
export type SequentialShape = 'stages' | 'run orders';

/** The number of Commands actions a shape can hold, given the number asked for. */
export function actionsOf(shape: SequentialShape, wanted: number): number {
  return shape === 'stages' ? Math.min(wanted, MAX_STAGES - 1) : wanted;
}

/**
 * Source, then `actions` Commands actions one after another: one stage each ('stages'), or
 * all in one stage with runOrder 1, 2, ... ('run orders').
 */
export function sequentialPipeline(
  name: string,
  source: GitConnection,
  shape: SequentialShape,
  actions: number,
): PipelineDeclaration {
  const commands = Array.from({ length: actionsOf(shape, actions) }, (_, i) =>
    trueAction(`True-${String(i + 1).padStart(2, '0')}`, shape === 'stages' ? 1 : i + 1),
  );
  const later =
    shape === 'stages'
      ? commands.map((action) => ({ name: `Step-${action.name}`, actions: [action] }))
      : [{ name: 'Steps', actions: commands }];
  return declaration(name, source, later);
}

/** Source, then one stage with one Commands action: the smallest pipeline that runs a command. */
export function oneActionPipeline(name: string, source: GitConnection): PipelineDeclaration {
  return declaration(name, source, [{ name: 'Run', actions: [trueAction('True', 1)] }]);
}

function declaration(
  name: string,
  source: GitConnection,
  later: PipelineDeclaration['stages'],
): PipelineDeclaration {
  return {
    name,
    pipelineType: 'V2',
    executionMode: 'PARALLEL',
    // Created by execution-role.ts before any pipeline; the benchmark's account is fixed.
    roleArn: benchRoleArn('123456789012'),
    artifactStore: { type: 'S3', location: 'lockstep-bench-artifacts' },
    stages: [{ name: SOURCE_STAGE, actions: [sourceAction(source)] }, ...(later ?? [])],
  };
}

function sourceAction(source: GitConnection): ActionDeclaration {
  return {
    name: 'Checkout',
    actionTypeId: {
      category: 'Source',
      owner: 'AWS',
      provider: 'CodeStarSourceConnection',
      version: '1',
    },
    configuration: {
      ConnectionArn: source.connectionArn,
      FullRepositoryId: source.repositoryId,
      BranchName: 'main',
    },
    outputArtifacts: [{ name: 'SourceOut' }],
  };
}

// Commands takes one to ten input artifacts, so every action extracts the (one-file) source.
function trueAction(name: string, runOrder: number): ActionDeclaration {
  return {
    name,
    actionTypeId: { category: 'Compute', owner: 'AWS', provider: 'Commands', version: '1' },
    commands: ['true'],
    inputArtifacts: [{ name: 'SourceOut' }],
    runOrder,
  };
}
