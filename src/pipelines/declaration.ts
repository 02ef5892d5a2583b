/**
 * Glossary (CodePipeline's own nouns; docs/terminology.md has the long form):
 * - declaration: the JSON structure a user sends to CreatePipeline/UpdatePipeline.
 * - stage: a named step of the pipeline, holding actions.
 * - action: one unit of work, of an action type, with a run order inside its stage.
 * - action type: (category, owner, provider, version), built in or custom.
 * - artifact: a named output of one action, consumed by name by later actions.
 * - namespace: the name under which an action's output variables can be referenced.
 *
 * These types mirror the shapes of the service model; the model validator checks them on the
 * wire before any code here sees them.
 */

export type ActionCategory =
  'Source' | 'Build' | 'Deploy' | 'Test' | 'Invoke' | 'Approval' | 'Compute';
export type ActionOwner = 'AWS' | 'ThirdParty' | 'Custom';
export type PipelineType = 'V1' | 'V2';
export type ExecutionMode = 'QUEUED' | 'SUPERSEDED' | 'PARALLEL';

export interface ActionTypeId {
  category: ActionCategory;
  owner: ActionOwner;
  provider: string;
  version: string;
}

export interface ActionDeclaration {
  name: string;
  actionTypeId: ActionTypeId;
  runOrder?: number;
  configuration?: Record<string, string>;
  commands?: string[];
  outputArtifacts?: { name: string; files?: string[] }[];
  inputArtifacts?: { name: string }[];
  outputVariables?: string[];
  roleArn?: string;
  region?: string;
  namespace?: string;
  timeoutInMinutes?: number;
  environmentVariables?: { name: string; value: string; type?: string }[];
}

export interface StageDeclaration {
  name: string;
  actions: ActionDeclaration[];
  blockers?: { name: string; type: string }[];
  beforeEntry?: Record<string, unknown>;
  onSuccess?: Record<string, unknown>;
  onFailure?: Record<string, unknown>;
}

export interface ArtifactStore {
  type: 'S3';
  location: string;
  encryptionKey?: { id: string; type: 'KMS' };
}

export interface PipelineDeclaration {
  name: string;
  roleArn: string;
  artifactStore?: ArtifactStore;
  artifactStores?: Record<string, ArtifactStore>;
  stages: StageDeclaration[];
  version?: number;
  executionMode?: ExecutionMode;
  pipelineType?: PipelineType;
  variables?: { name: string; defaultValue?: string; description?: string }[];
  triggers?: Record<string, unknown>[];
}

export interface Tag {
  key: string;
  value: string;
}

/** One configuration property of an action type, as ListActionTypes returns it. */
export interface ActionConfigurationProperty {
  name: string;
  required: boolean;
  key: boolean;
  secret: boolean;
  queryable?: boolean;
  description?: string;
  type?: 'String' | 'Number' | 'Boolean';
}

/** How many artifacts an action of a type takes or gives. */
export interface ArtifactDetails {
  minimumCount: number;
  maximumCount: number;
}

export interface ActionTypeSettings {
  thirdPartyConfigurationUrl?: string;
  entityUrlTemplate?: string;
  executionUrlTemplate?: string;
  revisionUrlTemplate?: string;
}

/** An action type in the shape of the model's `ActionType` (ListActionTypes output). */
export interface ActionType {
  id: ActionTypeId;
  settings?: ActionTypeSettings;
  actionConfigurationProperties: ActionConfigurationProperty[];
  inputArtifactDetails: ArtifactDetails;
  outputArtifactDetails: ArtifactDetails;
}
