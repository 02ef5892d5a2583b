/**
 * The built-in action types, in the shape ListActionTypes returns (the model's `ActionType`).
 * Property lists follow CodePipeline's action reference; they must be complete, because
 * structure rules refuse configuration keys a type does not declare, as CodePipeline does.
 */
import type {
  ActionCategory,
  ActionConfigurationProperty,
  ActionOwner,
  ActionType,
  ActionTypeId,
  ArtifactDetails,
} from './declaration.js';

/** An action type as the structure rules see it: the wire shape plus what it needs. */
export interface ActionTypeEntry {
  actionType: ActionType;
  /** Only a pipeline of type V2 may use it. */
  requiresV2: boolean;
}

/**
 * One row per type: category, owner, provider, input count, output count, properties, V2 only.
 * Counts are `n` or `min..max`. In the property list, `!` marks required and `*` secret.
 */
type Row = readonly [ActionCategory, ActionOwner, string, string, string, string, boolean?];

const CODEBUILD = 'ProjectName! PrimarySource BatchEnabled CombineArtifacts EnvironmentVariables';
const STACK_SET_RATES = 'FailureTolerancePercentage MaxConcurrentPercentage ConcurrencyMode';
const ECS_IMAGES = [1, 2, 3, 4]
  .map((n) => `Image${n}ArtifactName Image${n}ContainerName`)
  .join(' ');

// A table rather than literal JSON: one line per type is easier to check against the docs.
// prettier-ignore
const ROWS: readonly Row[] = [
  ['Source', 'AWS', 'S3', '0', '1',
    'S3Bucket! S3ObjectKey! PollForSourceChanges AllowOverrideForS3ObjectKey'],
  ['Source', 'AWS', 'CodeCommit', '0', '1',
    'RepositoryName! BranchName! PollForSourceChanges OutputArtifactFormat'],
  ['Source', 'AWS', 'ECR', '0', '1', 'RepositoryName! ImageTag'],
  ['Source', 'AWS', 'CodeStarSourceConnection', '0', '1',
    'ConnectionArn! FullRepositoryId! BranchName! OutputArtifactFormat DetectChanges'],
  ['Source', 'ThirdParty', 'GitHub', '0', '1',
    'Owner! Repo! Branch! OAuthToken!* PollForSourceChanges'],
  ['Build', 'AWS', 'CodeBuild', '1..5', '0..5', CODEBUILD],
  ['Build', 'AWS', 'ECRBuildAndPublish', '1', '0',
    'ECRRepositoryName! DockerFilePath ImageTags RegistryType', true],
  ['Test', 'AWS', 'CodeBuild', '1..5', '0..5', CODEBUILD],
  ['Test', 'AWS', 'DeviceFarm', '1', '0',
    'ProjectId! DevicePoolArn! AppType! App TestType! Test RecordAppPerformanceData RecordVideo ' +
    'RadioBluetoothEnabled RadioWifiEnabled RadioNfcEnabled RadioGpsEnabled Latitude Longitude ' +
    'FuzzEventCount FuzzEventThrottle FuzzRandomizerSeed CustomHostMachineArtifacts ' +
    'CustomDeviceArtifacts UnmeteredDevicesOnly JobTimeoutMinutes'],
  ['Deploy', 'AWS', 'S3', '1', '0',
    'BucketName! Extract! ObjectKey KMSEncryptionKeyARN CannedACL CacheControl'],
  ['Deploy', 'AWS', 'CloudFormation', '0..10', '0..1',
    'ActionMode! StackName! Capabilities ChangeSetName OutputFileName ParameterOverrides RoleArn ' +
    'TemplateConfiguration TemplatePath'],
  ['Deploy', 'AWS', 'CloudFormationStackSet', '1..10', '0',
    'StackSetName! TemplatePath! DeploymentTargets Regions Description Parameters Capabilities ' +
    'PermissionModel AdministrationRoleArn ExecutionRoleName OrganizationsAutoDeployment ' +
    STACK_SET_RATES],
  ['Deploy', 'AWS', 'CloudFormationStackInstances', '0..10', '0',
    `StackSetName! DeploymentTargets! Regions! ParameterOverrides ${STACK_SET_RATES}`],
  ['Deploy', 'AWS', 'CodeDeploy', '1', '0', 'ApplicationName! DeploymentGroupName!'],
  ['Deploy', 'AWS', 'CodeDeployToECS', '1..5', '0',
    'ApplicationName! DeploymentGroupName! TaskDefinitionTemplateArtifact! ' +
    `TaskDefinitionTemplatePath AppSpecTemplateArtifact! AppSpecTemplatePath ${ECS_IMAGES}`],
  ['Deploy', 'AWS', 'ECS', '1', '0', 'ClusterName! ServiceName! FileName DeploymentTimeout'],
  ['Deploy', 'AWS', 'EC2', '1', '0',
    'InstanceTagKey! InstanceTagValue InstanceType! TargetDirectory! MaxBatch MaxError ' +
    'TargetGroupNameList PreScript PostScript', true],
  ['Deploy', 'AWS', 'EKS', '1', '0',
    'ClusterName! ManifestFiles HelmReleaseName HelmChartLocation HelmValuesFiles Namespace ' +
    'SubnetIds SecurityGroupIds', true],
  ['Deploy', 'AWS', 'Lambda', '0..1', '0',
    'FunctionName! FunctionAlias! DeployStrategy Alarms', true],
  ['Deploy', 'AWS', 'ElasticBeanstalk', '1', '0', 'ApplicationName! EnvironmentName!'],
  ['Deploy', 'AWS', 'OpsWorks', '1', '0', 'Stack! App! Layer'],
  ['Deploy', 'AWS', 'ServiceCatalog', '1', '0',
    'ProductId! TemplateFilePath ConfigurationFilePath ProductVersionName ProductType ' +
    'ProductVersionDescription'],
  ['Deploy', 'AWS', 'AppConfig', '1', '0',
    'Application! Environment! ConfigurationProfile! InputArtifactConfigurationPath! ' +
    'DeploymentStrategy!'],
  ['Deploy', 'ThirdParty', 'AlexaSkillsKit', '1..2', '0',
    'ClientId! ClientSecret!* RefreshToken!* SkillId!'],
  ['Approval', 'AWS', 'Manual', '0', '0', 'NotificationArn CustomData ExternalEntityLink'],
  ['Invoke', 'AWS', 'Lambda', '0..5', '0..5', 'FunctionName! UserParameters'],
  ['Invoke', 'AWS', 'StepFunctions', '0..1', '0..1',
    'StateMachineArn! ExecutionNamePrefix InputType Input'],
  ['Invoke', 'AWS', 'InspectorScan', '0..1', '0..1',
    'InspectorRunMode! ECRRepositoryName ImageTag CriticalThreshold HighThreshold ' +
    'MediumThreshold LowThreshold', true],
  ['Invoke', 'AWS', 'CodePipeline', '0', '0', 'PipelineName! SourceRevisions Variables', true],
  // Commands takes its work from the action's `commands` field, not from configuration.
  ['Compute', 'AWS', 'Commands', '1..10', '0..1', '', true],
];

function counts(text: string): ArtifactDetails {
  const [min = '0', max = min] = text.split('..');
  return { minimumCount: Number(min), maximumCount: Number(max) };
}

function properties(text: string): ActionConfigurationProperty[] {
  return text
    .split(' ')
    .filter((word) => word !== '')
    .map((word) => {
      const required = word.includes('!');
      // Built-in types mark their required properties as keys, as ListActionTypes shows them.
      return {
        name: word.replace(/[!*]/g, ''),
        required,
        key: required,
        secret: word.includes('*'),
        queryable: false,
      };
    });
}

function toEntry([category, owner, provider, inputs, outputs, props, v2]: Row): ActionTypeEntry {
  return {
    actionType: {
      id: { category, owner, provider, version: '1' },
      actionConfigurationProperties: properties(props),
      inputArtifactDetails: counts(inputs),
      outputArtifactDetails: counts(outputs),
    },
    requiresV2: v2 === true,
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

// Frozen because every caller shares these objects; a mutation would change the catalogue.
const ENTRIES: readonly ActionTypeEntry[] = deepFreeze(ROWS.map(toEntry));

/** Every built-in action type, in catalogue order. */
export function builtInActionTypes(): readonly ActionTypeEntry[] {
  return ENTRIES;
}

/** The built-in action type with exactly this id, or undefined. */
export function findBuiltInActionType(id: ActionTypeId): ActionTypeEntry | undefined {
  return ENTRIES.find(({ actionType: { id: other } }) => sameActionTypeId(other, id));
}

/** Whether two action type ids name the same type (CodePipeline compares them exactly). */
export function sameActionTypeId(a: ActionTypeId, b: ActionTypeId): boolean {
  return (
    a.category === b.category &&
    a.owner === b.owner &&
    a.provider === b.provider &&
    a.version === b.version
  );
}
