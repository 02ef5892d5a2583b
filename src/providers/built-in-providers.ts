/**
 * The providers this server runs itself. Every other built-in action type except Manual
 * approval (which waits for a person, not a worker) gets the unavailable provider, so that a
 * run reaching one fails at once with a reason instead of waiting for a worker that never
 * comes.
 */
import { builtInActionTypes } from '../pipelines/action-type-catalogue.js';
import { actionTypeKey } from '../pipelines/action-type-service.js';
import type { BuiltInProvider } from './built-in-provider.js';
import { codeBuildProvider } from './codebuild/codebuild-provider.js';
import { commandsProvider } from './commands/commands-provider.js';
import { gitSourceProvider } from './git-source/git-source-provider.js';
import type { GitTransport } from './git-source/git-transport.js';
import {
  invokePipelineProvider,
  type StartOtherPipeline,
} from './invoke-pipeline/invoke-pipeline-provider.js';
import { s3DeployProvider } from './s3/s3-deploy-provider.js';
import { s3SourceProvider } from './s3/s3-source-provider.js';
import { unavailableProvider } from './unavailable-provider.js';

const WAITS_FOR_A_PERSON = new Set(['Approval/AWS/Manual/1']);

/** The built-in providers, covering every built-in action type but Manual approval. */
export function builtInProviders(
  thirdPartyWorkers: boolean,
  startOtherPipeline: StartOtherPipeline,
  gitTransport: GitTransport = {},
): BuiltInProvider[] {
  const runnable = [
    commandsProvider,
    gitSourceProvider(gitTransport),
    codeBuildProvider,
    invokePipelineProvider(startOtherPipeline),
    s3SourceProvider,
    s3DeployProvider,
  ];
  const covered = new Set(runnable.flatMap((p) => p.actionTypeKeys));
  const rest = builtInActionTypes()
    .map((entry) => actionTypeKey(entry.actionType.id))
    .filter((key) => !covered.has(key) && !WAITS_FOR_A_PERSON.has(key))
    // Handed to partner workers (the ThirdParty job protocol) when the operator says so.
    .filter((key) => !(thirdPartyWorkers && key.split('/')[1] === 'ThirdParty'));
  return [...runnable, unavailableProvider(rest)];
}
