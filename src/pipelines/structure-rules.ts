/**
 * CodePipeline's structural rules for a pipeline declaration: the ones the service model cannot
 * express (counts across the tree, artifact flow, action types, V2-only features). The input has
 * already passed model validation, so types, lengths, patterns and enums are not checked here.
 */
import {
  InvalidActionDeclarationException,
  InvalidStageDeclarationException,
  InvalidStructureException,
} from '../errors/codepipeline-errors.js';
import type { ActionTypeEntry } from './action-type-catalogue.js';
import type {
  ActionDeclaration,
  ActionTypeId,
  PipelineDeclaration,
  StageDeclaration,
} from './declaration.js';

/** What the rules need from outside: the pipeline's region and every known action type. */
export interface StructureContext {
  region: string;
  findActionType(id: ActionTypeId): ActionTypeEntry | undefined;
}

const MIN_STAGES = 2;
const MAX_STAGES = 50;
const MAX_ACTIONS_PER_STAGE = 50;
const MAX_ACTIONS_PER_PIPELINE = 500;
const MAX_RUN_ORDER = 999;

/** Throws the exception CodePipeline would give if `decl` breaks a structural rule. */
export function checkPipelineStructure(decl: PipelineDeclaration, ctx: StructureContext): void {
  checkStageLayout(decl);
  checkArtifactStores(decl, ctx.region);
  checkV2Features(decl);
  for (const stage of decl.stages) {
    for (const action of stage.actions) checkAction(action, decl, ctx);
  }
  checkArtifactFlow(decl);
  checkNamespaces(decl);
}

function checkStageLayout(decl: PipelineDeclaration): void {
  const count = decl.stages.length;
  if (count < MIN_STAGES) {
    throw new InvalidStructureException(
      `Pipeline has only ${count} stage(s). There should be a minimum of ${MIN_STAGES} stages in a pipeline`,
    );
  }
  if (count > MAX_STAGES) {
    throw new InvalidStructureException(
      `Pipeline has ${count} stage(s). There should be a maximum of ${MAX_STAGES} stages in a pipeline`,
    );
  }
  const duplicate = firstDuplicate(decl.stages.map((stage) => stage.name));
  if (duplicate !== undefined) {
    throw new InvalidStructureException(
      `Pipeline has more than one stage named '${duplicate}'. Stage names must be unique within a pipeline`,
    );
  }
  decl.stages.forEach((stage, index) => checkStage(stage, index === 0));
  const total = decl.stages.reduce((sum, stage) => sum + stage.actions.length, 0);
  if (total > MAX_ACTIONS_PER_PIPELINE) {
    throw new InvalidStructureException(
      `Pipeline has ${total} actions. There should be a maximum of ${MAX_ACTIONS_PER_PIPELINE} actions in a pipeline`,
    );
  }
}

// With at least two stages, each holding an action, "only the first stage holds Source actions"
// already guarantees the rule that some stage holds a non-Source action.
function checkStage(stage: StageDeclaration, isFirst: boolean): void {
  const count = stage.actions.length;
  if (count < 1 || count > MAX_ACTIONS_PER_STAGE) {
    throw new InvalidStageDeclarationException(
      `Stage '${stage.name}' has ${count} action(s). A stage must have between 1 and ${MAX_ACTIONS_PER_STAGE} actions`,
    );
  }
  const duplicate = firstDuplicate(stage.actions.map((action) => action.name));
  if (duplicate !== undefined) {
    throw new InvalidStageDeclarationException(
      `Stage '${stage.name}' has more than one action named '${duplicate}'. Action names must be unique within a stage`,
    );
  }
  for (const action of stage.actions) {
    const isSource = action.actionTypeId.category === 'Source';
    if (isFirst && !isSource) {
      throw new InvalidStageDeclarationException(
        `Stage '${stage.name}' is the first stage and can contain only Source actions, but action '${action.name}' is in category '${action.actionTypeId.category}'`,
      );
    }
    if (!isFirst && isSource) {
      throw new InvalidStageDeclarationException(
        `Source action '${action.name}' is in stage '${stage.name}'. Only the first stage of a pipeline can contain Source actions`,
      );
    }
  }
}

function checkArtifactStores(decl: PipelineDeclaration, region: string): void {
  const { artifactStore, artifactStores } = decl;
  if ((artifactStore === undefined) === (artifactStores === undefined)) {
    throw new InvalidStructureException(
      'Pipeline must specify exactly one of artifactStore or artifactStores, not both or neither',
    );
  }
  if (artifactStores !== undefined && !Object.hasOwn(artifactStores, region)) {
    throw new InvalidStructureException(
      `artifactStores must contain an artifact store for the pipeline's region '${region}'`,
    );
  }
}

function checkV2Features(decl: PipelineDeclaration): void {
  if (decl.pipelineType === 'V2') return;
  const refuse = (feature: string): never => {
    throw new InvalidStructureException(
      `${feature} can only be used in a pipeline of type V2. Set pipelineType to V2 to use it`,
    );
  };
  if ((decl.variables?.length ?? 0) > 0) refuse('Pipeline-level variables');
  if ((decl.triggers?.length ?? 0) > 0) refuse('Triggers');
  if (decl.executionMode === 'QUEUED' || decl.executionMode === 'PARALLEL') {
    refuse(`Execution mode ${decl.executionMode}`);
  }
  for (const stage of decl.stages) {
    for (const key of ['beforeEntry', 'onSuccess', 'onFailure'] as const) {
      if (stage[key] !== undefined) refuse(`Stage condition ${key} (in stage '${stage.name}')`);
    }
  }
}

function describeType(id: ActionTypeId): string {
  return `ActionType (Category: '${id.category}', Provider: '${id.provider}', Owner: '${id.owner}', Version: '${id.version}')`;
}

function checkAction(action: ActionDeclaration, decl: PipelineDeclaration, ctx: StructureContext) {
  const runOrder = action.runOrder ?? 1;
  if (runOrder < 1 || runOrder > MAX_RUN_ORDER) {
    throw new InvalidActionDeclarationException(
      `Action '${action.name}' has runOrder ${runOrder}. runOrder must be between 1 and ${MAX_RUN_ORDER}`,
    );
  }
  const entry = ctx.findActionType(action.actionTypeId);
  if (entry === undefined) {
    // AWS spells the region as an enum constant here, e.g. US_EAST_1.
    const regionName = ctx.region.toUpperCase().replaceAll('-', '_');
    throw new InvalidActionDeclarationException(
      `${describeType(action.actionTypeId)} in action '${action.name}' is not available in region '${regionName}'`,
    );
  }
  if (entry.requiresV2 && decl.pipelineType !== 'V2') {
    throw new InvalidStructureException(
      `${describeType(action.actionTypeId)} in action '${action.name}' can only be used in a pipeline of type V2. Set pipelineType to V2 to use it`,
    );
  }
  checkArtifactCount(action, 'input', action.inputArtifacts?.length ?? 0, entry);
  checkArtifactCount(action, 'output', action.outputArtifacts?.length ?? 0, entry);
  checkConfiguration(action, entry);
  checkActionFields(action);
  checkActionRegion(action, decl);
}

function checkArtifactCount(
  action: ActionDeclaration,
  kind: 'input' | 'output',
  count: number,
  entry: ActionTypeEntry,
): void {
  const details = entry.actionType[`${kind}ArtifactDetails`];
  const prefix = `Action ${action.name} declares ${count} ${kind} artifacts which is`;
  if (count < details.minimumCount) {
    throw new InvalidActionDeclarationException(
      `${prefix} less than the minimum count (${details.minimumCount})`,
    );
  }
  if (count > details.maximumCount) {
    throw new InvalidActionDeclarationException(
      `${prefix} greater than the maximum count (${details.maximumCount})`,
    );
  }
}

function checkConfiguration(action: ActionDeclaration, entry: ActionTypeEntry): void {
  const configuration = action.configuration ?? {};
  const properties = entry.actionType.actionConfigurationProperties;
  const prefix = `Action configuration for action '${action.name}'`;
  for (const property of properties) {
    if (property.required && !Object.hasOwn(configuration, property.name)) {
      throw new InvalidActionDeclarationException(
        `${prefix} is missing required configuration '${property.name}'`,
      );
    }
  }
  const known = new Set(properties.map((property) => property.name));
  for (const key of Object.keys(configuration)) {
    if (!known.has(key)) {
      throw new InvalidActionDeclarationException(
        `${prefix} contains unknown configuration '${key}'`,
      );
    }
  }
}

function isCommandsAction(id: ActionTypeId): boolean {
  return id.category === 'Compute' && id.owner === 'AWS' && id.provider === 'Commands';
}

// Fields of ActionDeclaration that belong to one kind of action only.
function checkActionFields(action: ActionDeclaration): void {
  const id = action.actionTypeId;
  const refuse = (message: string): never => {
    throw new InvalidActionDeclarationException(message);
  };
  const isManual = id.category === 'Approval' && id.owner === 'AWS' && id.provider === 'Manual';
  if (action.timeoutInMinutes !== undefined && !isManual) {
    refuse(
      `Action '${action.name}' cannot set timeoutInMinutes. Only Manual approval actions support timeoutInMinutes`,
    );
  }
  if (isCommandsAction(id)) {
    if ((action.commands?.length ?? 0) === 0) {
      refuse(`Action '${action.name}' is a Commands action and must declare commands`);
    }
    return;
  }
  if (action.commands !== undefined) {
    refuse(
      `The following action cannot contain a commands field: ${action.name}. To use the commands field, use a compute action.`,
    );
  }
  if (action.outputVariables !== undefined) {
    refuse(
      `The following action cannot contain an outputVariables field: ${action.name}. Only Commands actions export output variables.`,
    );
  }
  const withFiles = action.outputArtifacts?.find((artifact) => artifact.files !== undefined);
  if (withFiles !== undefined) {
    refuse(
      `Output artifact '${withFiles.name}' of action '${action.name}' lists files. Only Commands actions can list output files`,
    );
  }
}

function checkActionRegion(action: ActionDeclaration, decl: PipelineDeclaration): void {
  const region = action.region;
  if (region === undefined) return;
  const { category, owner } = action.actionTypeId;
  if (category === 'Source' || owner !== 'AWS') {
    throw new InvalidActionDeclarationException(
      `Action '${action.name}' cannot set region. Source, ThirdParty and Custom actions cannot be cross-region actions`,
    );
  }
  if (decl.artifactStores === undefined) {
    throw new InvalidActionDeclarationException(
      `Action '${action.name}' sets region '${region}'. A pipeline with cross-region actions must use artifactStores, with one artifact store per region, instead of artifactStore`,
    );
  }
  if (!Object.hasOwn(decl.artifactStores, region)) {
    throw new InvalidActionDeclarationException(
      `Action '${action.name}' runs in region '${region}', but artifactStores has no artifact store for that region`,
    );
  }
}

interface Producer {
  action: string;
  stageIndex: number;
  runOrder: number;
}

function checkArtifactFlow(decl: PipelineDeclaration): void {
  const producers = new Map<string, Producer>();
  decl.stages.forEach((stage, stageIndex) => {
    for (const action of stage.actions) {
      for (const { name } of action.outputArtifacts ?? []) {
        const earlier = producers.get(name);
        if (earlier !== undefined) {
          throw new InvalidStructureException(
            `Output artifact name '${name}' is declared by both action '${earlier.action}' and action '${action.name}'. Output artifact names must be unique within a pipeline`,
          );
        }
        producers.set(name, { action: action.name, stageIndex, runOrder: action.runOrder ?? 1 });
      }
    }
  });
  decl.stages.forEach((stage, stageIndex) => {
    for (const action of stage.actions) {
      for (const { name } of action.inputArtifacts ?? []) {
        checkProducedEarlier(name, producers.get(name), action, stageIndex);
      }
    }
  });
}

// An action sees only what finished before it: an earlier stage, or a lower runOrder here.
function checkProducedEarlier(
  name: string,
  producer: Producer | undefined,
  consumer: ActionDeclaration,
  stageIndex: number,
): void {
  if (producer === undefined) {
    throw new InvalidStructureException(
      `No Action in the Pipeline provides an input artifact named "${name}"`,
    );
  }
  const earlier =
    producer.stageIndex < stageIndex ||
    (producer.stageIndex === stageIndex && producer.runOrder < (consumer.runOrder ?? 1));
  if (!earlier) {
    throw new InvalidStructureException(
      `Action '${consumer.name}' uses input artifact "${name}" before action '${producer.action}' produces it. An input artifact must be the output of an action that runs earlier`,
    );
  }
}

function checkNamespaces(decl: PipelineDeclaration): void {
  const actions = decl.stages.flatMap((stage) => stage.actions);
  const artifactNames = new Set(
    actions.flatMap((action) => (action.outputArtifacts ?? []).map(({ name }) => name)),
  );
  const owners = new Map<string, string>();
  for (const { name, namespace } of actions) {
    if (namespace === undefined) continue;
    const other = owners.get(namespace);
    if (other !== undefined) {
      throw new InvalidStructureException(
        `Namespace '${namespace}' is used by both action '${other}' and action '${name}'. Namespaces must be unique within a pipeline`,
      );
    }
    if (artifactNames.has(namespace)) {
      throw new InvalidStructureException(
        `Namespace '${namespace}' of action '${name}' is also the name of an output artifact. A namespace cannot have the same name as an artifact`,
      );
    }
    owners.set(namespace, name);
  }
}

function firstDuplicate(names: readonly string[]): string | undefined {
  const seen = new Set<string>();
  return names.find((name) => (seen.has(name) ? true : (seen.add(name), false)));
}
