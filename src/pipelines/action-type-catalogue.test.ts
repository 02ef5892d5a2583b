import { describe, expect, it } from 'vitest';
import { builtInActionTypes, findBuiltInActionType } from './action-type-catalogue.js';
import type { ActionTypeId } from './declaration.js';

const label = ({ category, owner, provider }: ActionTypeId) => `${category}/${owner}/${provider}`;

function find(category: ActionTypeId['category'], provider: string, owner = 'AWS') {
  const entry = findBuiltInActionType({
    category,
    owner: owner as ActionTypeId['owner'],
    provider,
    version: '1',
  });
  if (entry === undefined) throw new Error(`no ${category}/${provider}`);
  return entry;
}

describe('builtInActionTypes', () => {
  it('lists every built-in provider once, at version 1', () => {
    const labels = builtInActionTypes().map((entry) => label(entry.actionType.id));
    expect(labels).toEqual([
      'Source/AWS/S3',
      'Source/AWS/CodeCommit',
      'Source/AWS/ECR',
      'Source/AWS/CodeStarSourceConnection',
      'Source/ThirdParty/GitHub',
      'Build/AWS/CodeBuild',
      'Build/AWS/ECRBuildAndPublish',
      'Test/AWS/CodeBuild',
      'Test/AWS/DeviceFarm',
      'Deploy/AWS/S3',
      'Deploy/AWS/CloudFormation',
      'Deploy/AWS/CloudFormationStackSet',
      'Deploy/AWS/CloudFormationStackInstances',
      'Deploy/AWS/CodeDeploy',
      'Deploy/AWS/CodeDeployToECS',
      'Deploy/AWS/ECS',
      'Deploy/AWS/EC2',
      'Deploy/AWS/EKS',
      'Deploy/AWS/Lambda',
      'Deploy/AWS/ElasticBeanstalk',
      'Deploy/AWS/OpsWorks',
      'Deploy/AWS/ServiceCatalog',
      'Deploy/AWS/AppConfig',
      'Deploy/ThirdParty/AlexaSkillsKit',
      'Approval/AWS/Manual',
      'Invoke/AWS/Lambda',
      'Invoke/AWS/StepFunctions',
      'Invoke/AWS/InspectorScan',
      'Invoke/AWS/CodePipeline',
      'Compute/AWS/Commands',
    ]);
    expect(builtInActionTypes().every((entry) => entry.actionType.id.version === '1')).toBe(true);
  });

  it('marks exactly the V2-only types', () => {
    const v2 = builtInActionTypes().filter((entry) => entry.requiresV2);
    expect(v2.map((entry) => label(entry.actionType.id))).toEqual([
      'Build/AWS/ECRBuildAndPublish',
      'Deploy/AWS/EC2',
      'Deploy/AWS/EKS',
      'Deploy/AWS/Lambda',
      'Invoke/AWS/InspectorScan',
      'Invoke/AWS/CodePipeline',
      'Compute/AWS/Commands',
    ]);
  });

  it('gives each property the ActionConfigurationProperty shape', () => {
    const { actionType } = find('Source', 'CodeStarSourceConnection');
    expect(actionType.actionConfigurationProperties).toEqual([
      { name: 'ConnectionArn', required: true, key: true, secret: false, queryable: false },
      { name: 'FullRepositoryId', required: true, key: true, secret: false, queryable: false },
      { name: 'BranchName', required: true, key: true, secret: false, queryable: false },
      {
        name: 'OutputArtifactFormat',
        required: false,
        key: false,
        secret: false,
        queryable: false,
      },
      { name: 'DetectChanges', required: false, key: false, secret: false, queryable: false },
    ]);
  });

  it('marks the GitHub v1 OAuthToken, and only it, as a required secret', () => {
    const properties = find('Source', 'GitHub', 'ThirdParty').actionType
      .actionConfigurationProperties;
    expect(properties.filter((p) => p.secret).map((p) => [p.name, p.required])).toEqual([
      ['OAuthToken', true],
    ]);
  });

  it('carries the artifact counts of the service limits', () => {
    const counts = (category: ActionTypeId['category'], provider: string) => {
      const { inputArtifactDetails, outputArtifactDetails } = find(category, provider).actionType;
      return [inputArtifactDetails, outputArtifactDetails].map(
        (d) => `${d.minimumCount}..${d.maximumCount}`,
      );
    };
    expect(counts('Source', 'S3')).toEqual(['0..0', '1..1']);
    expect(counts('Build', 'CodeBuild')).toEqual(['1..5', '0..5']);
    expect(counts('Deploy', 'CloudFormation')).toEqual(['0..10', '0..1']);
    expect(counts('Approval', 'Manual')).toEqual(['0..0', '0..0']);
    expect(counts('Invoke', 'Lambda')).toEqual(['0..5', '0..5']);
  });

  it('cannot be changed by a caller', () => {
    const { actionType } = find('Approval', 'Manual');
    expect(() =>
      actionType.actionConfigurationProperties.push(actionType.actionConfigurationProperties[0]!),
    ).toThrow(TypeError);
    expect(find('Approval', 'Manual').actionType.actionConfigurationProperties).toHaveLength(3);
  });
});

describe('findBuiltInActionType', () => {
  it('matches category, owner, provider and version exactly', () => {
    const id: ActionTypeId = { category: 'Invoke', owner: 'AWS', provider: 'Lambda', version: '1' };
    expect(findBuiltInActionType(id)?.requiresV2).toBe(false);
    expect(findBuiltInActionType({ ...id, category: 'Deploy' })?.requiresV2).toBe(true);
    expect(findBuiltInActionType({ ...id, version: '2' })).toBeUndefined();
    expect(findBuiltInActionType({ ...id, owner: 'Custom' })).toBeUndefined();
    expect(findBuiltInActionType({ ...id, provider: 'lambda' })).toBeUndefined();
  });
});
