import { describe, expect, it } from 'vitest';
import type { EvaluationInput } from './evaluate-policies.js';
import { evaluatePolicies } from './evaluate-policies.js';
import { parsePolicyDocument } from './parse-policy-document.js';
import type { PolicyDocument, PrincipalElement, Statement } from './policy-document.js';
import type { RequestContext } from './request-context.js';

const ACCOUNT = '123456789012';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/ci/deployer`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/build-42`;
const PIPELINE = `arn:aws:codepipeline:us-east-1:${ACCOUNT}:app`;

function policy(...statements: Statement[]): PolicyDocument {
  return parsePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: statements }));
}

const grant = (Principal: PrincipalElement): PolicyDocument =>
  policy({ Effect: 'Allow', Principal, Action: 'codepipeline:*', Resource: PIPELINE });
const denyAllBut = (NotPrincipal: PrincipalElement): PolicyDocument =>
  policy({ Effect: 'Deny', NotPrincipal, Action: 'codepipeline:*', Resource: PIPELINE });

const ALLOW_ALL = policy({ Effect: 'Allow', Action: '*', Resource: '*' });
const S3_ONLY = policy({ Effect: 'Allow', Action: 's3:*', Resource: '*' });

function as(principalArn: string, principalRoleArn?: string): RequestContext {
  const context: RequestContext = {
    principalArn,
    action: 'codepipeline:StartPipelineExecution',
    resource: PIPELINE,
    conditionKeys: {},
  };
  if (principalRoleArn !== undefined) context.principalRoleArn = principalRoleArn;
  return context;
}

type Case = [string, Omit<EvaluationInput, 'context'>, RequestContext, string];

const CASES: Case[] = [
  [
    'resource policy naming the user, no identity policy',
    { identityPolicies: [], resourcePolicies: [grant({ AWS: ALICE })] },
    as(ALICE),
    'Allow',
  ],
  [
    'resource policy naming another user',
    { identityPolicies: [], resourcePolicies: [grant({ AWS: BOB })] },
    as(ALICE),
    'ImplicitDeny',
  ],
  // AWS: a grant to the IAM user ARN is "not limited by an implicit deny in an identity-based
  // policy or permissions boundary".
  [
    'naming the user is not limited by the boundary',
    {
      identityPolicies: [],
      resourcePolicies: [grant({ AWS: ALICE })],
      permissionsBoundary: S3_ONLY,
    },
    as(ALICE),
    'Allow',
  ],
  [
    'naming the session is not limited by boundary or session policy',
    {
      identityPolicies: [],
      resourcePolicies: [grant({ AWS: SESSION })],
      permissionsBoundary: S3_ONLY,
      sessionPolicies: [S3_ONLY],
    },
    as(SESSION, ROLE),
    'Allow',
  ],
  [
    'naming the role reaches its sessions',
    { identityPolicies: [], resourcePolicies: [grant({ AWS: ROLE })] },
    as(SESSION, ROLE),
    'Allow',
  ],
  // AWS: grants "to an IAM role ARN are limited by an implicit deny in a permissions boundary or session policy".
  [
    'naming the role is limited by the boundary',
    {
      identityPolicies: [],
      resourcePolicies: [grant({ AWS: ROLE })],
      permissionsBoundary: S3_ONLY,
    },
    as(SESSION, ROLE),
    'ImplicitDeny',
  ],
  [
    'naming the role is limited by session policies',
    { identityPolicies: [], resourcePolicies: [grant({ AWS: ROLE })], sessionPolicies: [S3_ONLY] },
    as(SESSION, ROLE),
    'ImplicitDeny',
  ],
  [
    'naming the account, no boundary',
    { identityPolicies: [], resourcePolicies: [grant({ AWS: ACCOUNT })] },
    as(ALICE),
    'Allow',
  ],
  [
    'naming the account by its root ARN',
    { identityPolicies: [], resourcePolicies: [grant({ AWS: `arn:aws:iam::${ACCOUNT}:root` })] },
    as(ALICE),
    'Allow',
  ],
  [
    'naming the account is limited by the boundary',
    {
      identityPolicies: [],
      resourcePolicies: [grant({ AWS: ACCOUNT })],
      permissionsBoundary: S3_ONLY,
    },
    as(ALICE),
    'ImplicitDeny',
  ],
  [
    'naming another account',
    { identityPolicies: [], resourcePolicies: [grant({ AWS: '999999999999' })] },
    as(ALICE),
    'ImplicitDeny',
  ],
  ['Principal *', { identityPolicies: [], resourcePolicies: [grant('*')] }, as(ALICE), 'Allow'],
  [
    'Principal {"AWS": "*"}',
    { identityPolicies: [], resourcePolicies: [grant({ AWS: '*' })] },
    as(BOB),
    'Allow',
  ],
  [
    'a service principal never matches an IAM caller',
    { identityPolicies: [], resourcePolicies: [grant({ Service: 'codebuild.amazonaws.com' })] },
    as(ALICE),
    'ImplicitDeny',
  ],
  [
    'Deny naming the user in a resource policy wins',
    {
      identityPolicies: [ALLOW_ALL],
      resourcePolicies: [
        policy({ Effect: 'Deny', Principal: { AWS: ALICE }, Action: '*', Resource: '*' }),
      ],
    },
    as(ALICE),
    'ExplicitDeny',
  ],
  [
    'Deny naming another user leaves the Allow',
    {
      identityPolicies: [ALLOW_ALL],
      resourcePolicies: [
        policy({ Effect: 'Deny', Principal: { AWS: BOB }, Action: '*', Resource: '*' }),
      ],
    },
    as(ALICE),
    'Allow',
  ],
  [
    'NotPrincipal listing account and user exempts the user',
    { identityPolicies: [ALLOW_ALL], resourcePolicies: [denyAllBut({ AWS: [ACCOUNT, ALICE] })] },
    as(ALICE),
    'Allow',
  ],
  [
    'NotPrincipal denies a user it does not list',
    { identityPolicies: [ALLOW_ALL], resourcePolicies: [denyAllBut({ AWS: [ACCOUNT, ALICE] })] },
    as(BOB),
    'ExplicitDeny',
  ],
  // AWS: without the account ARN "the policy denies access to the whole account including that principal".
  [
    'NotPrincipal listing the user but not the account denies',
    { identityPolicies: [ALLOW_ALL], resourcePolicies: [denyAllBut({ AWS: ALICE })] },
    as(ALICE),
    'ExplicitDeny',
  ],
  [
    'NotPrincipal exempts a session when account, role and session are listed',
    {
      identityPolicies: [ALLOW_ALL],
      resourcePolicies: [denyAllBut({ AWS: [ACCOUNT, ROLE, SESSION] })],
    },
    as(SESSION, ROLE),
    'Allow',
  ],
  [
    'NotPrincipal without the role denies the session',
    { identityPolicies: [ALLOW_ALL], resourcePolicies: [denyAllBut({ AWS: [ACCOUNT, SESSION] })] },
    as(SESSION, ROLE),
    'ExplicitDeny',
  ],
  // AWS: a NotPrincipal Deny "will always deny any IAM principal that has a permissions boundary".
  [
    'NotPrincipal always denies a principal with a boundary',
    {
      identityPolicies: [ALLOW_ALL],
      resourcePolicies: [denyAllBut({ AWS: [ACCOUNT, ALICE] })],
      permissionsBoundary: ALLOW_ALL,
    },
    as(ALICE),
    'ExplicitDeny',
  ],
];

describe('resource policies and principals (same account)', () => {
  it.each(CASES)('%s', (_name, policies, context, decision) => {
    expect(evaluatePolicies({ ...policies, context }).decision).toBe(decision);
  });

  it('ignores a resource-policy statement without Principal or NotPrincipal', () => {
    const unnamed: PolicyDocument = {
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Action: '*', Resource: '*' },
    };
    expect(
      evaluatePolicies({ identityPolicies: [], resourcePolicies: [unnamed], context: as(ALICE) })
        .decision,
    ).toBe('ImplicitDeny');
  });

  it('ignores Principal in an identity policy', () => {
    const named: PolicyDocument = {
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Principal: { AWS: BOB }, Action: '*', Resource: '*' },
    };
    expect(evaluatePolicies({ identityPolicies: [named], context: as(ALICE) }).decision).toBe(
      'Allow',
    );
  });

  it('reports a direct resource-policy grant as the deciding statement', () => {
    const result = evaluatePolicies({
      identityPolicies: [ALLOW_ALL],
      resourcePolicies: [grant({ AWS: ALICE })],
      context: as(ALICE),
    });
    expect(result.matchedStatements).toEqual([
      { policyType: 'resource', policyIndex: 0, statementIndex: 0, effect: 'Allow' },
    ]);
  });
});
