/**
 * The operation table of CodePipeline (`CodePipeline_20150709`), in one place. Each entry
 * names its IAM action and resource and calls into the pipelines domain; input shapes are
 * guaranteed by the model validator before handle() runs.
 */
import type { PipelineDeclaration, Tag } from '../pipelines/declaration.js';
import { customActionTypeArn, pipelineArn } from '../pipelines/pipeline-arn.js';
import type { CustomActionTypeInput } from '../pipelines/custom-action-type-rules.js';
import type { ActionOwner } from '../pipelines/declaration.js';
import { codePipelineExecutionOperations } from './codepipeline-execution-operations.js';
import { requireAssumablePipelineRole } from '../pipelines/pipeline-role.js';
import { declaredRoles } from '../pipelines/declared-roles.js';
import { defineOperation, rawString, type JsonService, type Operation } from './operation.js';
import type { ServerServices } from './server-services.js';

const WILDCARD = '*';

function pipelineResource(path: string[]) {
  return (raw: Record<string, unknown>, services: ServerServices): string => {
    const name = rawString(raw, ...path);
    return name === undefined ? WILDCARD : pipelineArn(services.scope, name);
  };
}

function customActionTypeResource(raw: Record<string, unknown>, services: ServerServices): string {
  const [category, provider, version] = ['category', 'provider', 'version'].map((k) =>
    rawString(raw, k),
  );
  return category && provider && version
    ? customActionTypeArn(services.scope, { category, provider, version })
    : WILDCARD;
}

function taggedResource(raw: Record<string, unknown>): string {
  return rawString(raw, 'resourceArn') ?? WILDCARD;
}

/** A declaration as the audit trail may keep it: secret configuration masked. */
async function auditDeclaration(
  input: { pipeline: PipelineDeclaration },
  services: ServerServices,
) {
  return { ...input, pipeline: await services.pipelines.masked(input.pipeline) };
}

/**
 * A caller may hand CodePipeline only roles it may pass (iam:PassRole), as in AWS: otherwise
 * anyone allowed to create pipelines could borrow any role's permissions.
 */
async function passRoles(
  decl: PipelineDeclaration,
  authorizeAlso: (action: string, resourceArn: string) => Promise<void>,
): Promise<void> {
  for (const role of declaredRoles(decl)) await authorizeAlso('iam:PassRole', role);
}

const operations: Operation[] = [
  defineOperation<{ pipeline: PipelineDeclaration; tags?: Tag[] }>({
    name: 'CreatePipeline',
    iamAction: 'codepipeline:CreatePipeline',
    readOnly: false,
    resourceArn: pipelineResource(['pipeline', 'name']),
    handle: async (input, { services, principal, authorizeAlso }) => {
      await passRoles(input.pipeline, authorizeAlso);
      await requireAssumablePipelineRole(services.iamRoles, input.pipeline.roleArn);
      return services.lifecycle.create(input.pipeline, input.tags, principal.arn);
    },
    auditParameters: auditDeclaration,
  }),
  defineOperation<{ name: string; version?: number }>({
    name: 'GetPipeline',
    iamAction: 'codepipeline:GetPipeline',
    readOnly: true,
    resourceArn: pipelineResource(['name']),
    handle: (input, { services }) => services.pipelines.get(input.name, input.version),
  }),
  defineOperation<{ pipeline: PipelineDeclaration }>({
    name: 'UpdatePipeline',
    iamAction: 'codepipeline:UpdatePipeline',
    readOnly: false,
    resourceArn: pipelineResource(['pipeline', 'name']),
    handle: async (input, { services, authorizeAlso }) => {
      await passRoles(input.pipeline, authorizeAlso);
      await requireAssumablePipelineRole(services.iamRoles, input.pipeline.roleArn);
      return services.lifecycle.update(input.pipeline);
    },
    auditParameters: auditDeclaration,
  }),
  defineOperation<{ name: string }>({
    name: 'DeletePipeline',
    iamAction: 'codepipeline:DeletePipeline',
    readOnly: false,
    resourceArn: pipelineResource(['name']),
    handle: async (input, { services }) => {
      await services.lifecycle.delete(input.name);
      return {};
    },
  }),
  defineOperation<{ nextToken?: string; maxResults?: number }>({
    name: 'ListPipelines',
    iamAction: 'codepipeline:ListPipelines',
    readOnly: true,
    resourceArn: () => WILDCARD,
    handle: (input, { services }) => services.pipelines.list(input.nextToken, input.maxResults),
  }),
  defineOperation<{ resourceArn: string; tags: Tag[] }>({
    name: 'TagResource',
    iamAction: 'codepipeline:TagResource',
    readOnly: false,
    resourceArn: taggedResource,
    handle: async (input, { services }) => {
      await services.tags.tag(input.resourceArn, input.tags);
      return {};
    },
  }),
  defineOperation<{ resourceArn: string; tagKeys: string[] }>({
    name: 'UntagResource',
    iamAction: 'codepipeline:UntagResource',
    readOnly: false,
    resourceArn: taggedResource,
    handle: async (input, { services }) => {
      await services.tags.untag(input.resourceArn, input.tagKeys);
      return {};
    },
  }),
  defineOperation<{ resourceArn: string; nextToken?: string; maxResults?: number }>({
    name: 'ListTagsForResource',
    iamAction: 'codepipeline:ListTagsForResource',
    readOnly: true,
    resourceArn: taggedResource,
    handle: (input, { services }) =>
      services.tags.list(input.resourceArn, input.nextToken, input.maxResults),
  }),
  defineOperation<CustomActionTypeInput & { tags?: Tag[] }>({
    name: 'CreateCustomActionType',
    iamAction: 'codepipeline:CreateCustomActionType',
    readOnly: false,
    resourceArn: customActionTypeResource,
    handle: ({ tags, ...input }, { services }) => services.actionTypes.createCustom(input, tags),
  }),
  defineOperation<{ category: string; provider: string; version: string }>({
    name: 'DeleteCustomActionType',
    iamAction: 'codepipeline:DeleteCustomActionType',
    readOnly: false,
    resourceArn: customActionTypeResource,
    handle: async (input, { services }) => {
      await services.actionTypes.deleteCustom(input);
      return {};
    },
  }),
  defineOperation<{ actionOwnerFilter?: ActionOwner; nextToken?: string; regionFilter?: string }>({
    name: 'ListActionTypes',
    iamAction: 'codepipeline:ListActionTypes',
    readOnly: true,
    resourceArn: () => WILDCARD,
    handle: async (input, { services }) => services.actionTypes.list(input),
  }),
];

/** CodePipeline over AWS JSON 1.1, as the AWS CLI and SDKs call it. */
export const codePipelineService: JsonService = {
  targetPrefix: 'CodePipeline_20150709',
  signingName: 'codepipeline',
  eventSource: 'codepipeline.amazonaws.com',
  model: 'codepipeline/2015-07-09',
  operations: new Map(
    [...operations, ...codePipelineExecutionOperations].map((op) => [op.name, op]),
  ),
};
