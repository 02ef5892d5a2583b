/**
 * CreatePipeline refuses a service role CodePipeline cannot assume, as AWS does, so a test that
 * creates pipelines first creates their role, through the IAM API like any user would.
 */
import { FIXTURE_ROLE_ARNS, MINIMAL_DECLARATION_ROLE } from '../e2e/support/pipeline-fixtures.js';
import { rawCall } from '../e2e/support/signed-fetch.js';

/** The role most tests name in their declarations. */
export const PIPELINE_ROLE_ARN = 'arn:aws:iam::123456789012:role/pipeline';

/** The service roles test servers start with: the common one and those the fixtures name. */
export const TEST_PIPELINE_ROLES: readonly string[] = [
  PIPELINE_ROLE_ARN,
  MINIMAL_DECLARATION_ROLE,
  ...FIXTURE_ROLE_ARNS,
];

/** The trust policy of a CodePipeline service role. */
export const CODEPIPELINE_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'codepipeline.amazonaws.com' },
      Action: 'sts:AssumeRole',
    },
  ],
});

interface ServerAccess {
  url: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** Creates the role `roleArn` names (its path included) with `trust`, unless it exists. */
export async function createPipelineRole(
  server: ServerAccess,
  roleArn: string = PIPELINE_ROLE_ARN,
  trust: string = CODEPIPELINE_TRUST,
): Promise<void> {
  const match = /^arn:aws:iam::\d{12}:role(\/(?:.*\/)?)([^/]+)$/.exec(roleArn);
  if (match === null) throw new Error(`not a role ARN: ${roleArn}`);
  const [, rolePath = '/', roleName = ''] = match;
  const response = await iamCall(server, {
    Action: 'CreateRole',
    RoleName: roleName,
    Path: rolePath,
    AssumeRolePolicyDocument: trust,
  });
  if (response.status !== 200 && !response.text.includes('<Code>EntityAlreadyExists</Code>')) {
    throw new Error(`CreateRole ${roleArn} failed (${response.status}): ${response.text}`);
  }
}

/** Creates each of `roleArns` (see createPipelineRole). */
export async function createPipelineRoles(
  server: ServerAccess,
  roleArns: readonly string[],
): Promise<void> {
  for (const roleArn of new Set(roleArns)) await createPipelineRole(server, roleArn);
}

function iamCall(server: ServerAccess, params: Record<string, string>) {
  const body = new URLSearchParams({ ...params, Version: '2010-05-08' }).toString();
  return rawCall(server, {
    target: null,
    body,
    service: 'iam',
    contentType: 'application/x-www-form-urlencoded; charset=utf-8',
  });
}
