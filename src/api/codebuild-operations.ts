/**
 * The operation table of AWS CodeBuild (`CodeBuild_20161006`, JSON 1.1), for build projects
 * only: `aws codebuild create-project` and friends register the projects a CodePipeline
 * CodeBuild action names in its ProjectName.
 */
import {
  codeBuildProjectArn,
  type CodeBuildProjectService,
  type CreateProjectInput,
  type ListProjectsInput,
} from '../codebuild/project-service.js';
import { defineOperation, rawString, type JsonService, type Operation } from './operation.js';
import type { ServerServices } from './server-services.js';

const WILDCARD = '*';

/** The ARN of the project named (or ARN'd) by `member` of a raw input, else `*`. */
function projectResource(member: string) {
  return (raw: Record<string, unknown>, services: ServerServices): string => {
    const name = rawString(raw, member);
    if (name === undefined) return WILDCARD;
    return name.startsWith('arn:') ? name : codeBuildProjectArn(services.scope, name);
  };
}

/** The first name of BatchGetProjects; the others are authorized in handle(). */
function firstProjectResource(raw: Record<string, unknown>, services: ServerServices): string {
  const names = raw.names;
  const first: unknown = Array.isArray(names) ? names[0] : undefined;
  if (typeof first !== 'string') return WILDCARD;
  return first.startsWith('arn:') ? first : codeBuildProjectArn(services.scope, first);
}

/** CodeBuild over JSON 1.1, answering from `projects`. */
export function codeBuildService(projects: CodeBuildProjectService): JsonService {
  const operations: Operation[] = [
    defineOperation<CreateProjectInput>({
      name: 'CreateProject',
      iamAction: 'codebuild:CreateProject',
      readOnly: false,
      resourceArn: projectResource('name'),
      handle: async (input, { authorizeAlso }) => {
        // As on AWS: handing CodeBuild a role needs iam:PassRole on it.
        await authorizeAlso('iam:PassRole', input.serviceRole);
        return { project: await projects.create(input) };
      },
    }),
    defineOperation<{ names: string[] }>({
      name: 'BatchGetProjects',
      iamAction: 'codebuild:BatchGetProjects',
      readOnly: true,
      resourceArn: firstProjectResource,
      handle: async (input, { services, authorizeAlso }) => {
        // IAM grants BatchGetProjects per project: every name asked must be allowed.
        for (const name of input.names.slice(1)) {
          const arn = name.startsWith('arn:') ? name : codeBuildProjectArn(services.scope, name);
          await authorizeAlso('codebuild:BatchGetProjects', arn);
        }
        return projects.batchGet(input.names);
      },
    }),
    defineOperation<ListProjectsInput>({
      name: 'ListProjects',
      iamAction: 'codebuild:ListProjects',
      readOnly: true,
      // ListProjects has no resource-level permissions in IAM.
      resourceArn: () => WILDCARD,
      handle: (input) => projects.list(input),
    }),
    defineOperation<{ name: string }>({
      name: 'DeleteProject',
      iamAction: 'codebuild:DeleteProject',
      readOnly: false,
      resourceArn: projectResource('name'),
      handle: async (input) => {
        await projects.delete(input.name);
        return {};
      },
    }),
  ];
  return {
    targetPrefix: 'CodeBuild_20161006',
    signingName: 'codebuild',
    eventSource: 'codebuild.amazonaws.com',
    model: 'codebuild/2016-10-06',
    operations: new Map(operations.map((op) => [op.name, op])),
  };
}
