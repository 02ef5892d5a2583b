import { describe, expect, it } from 'vitest';
import type { EvaluationInput } from './evaluate-policies.js';
import { evaluatePolicies } from './evaluate-policies.js';
import { parsePolicyDocument } from './parse-policy-document.js';
import type { PolicyDocument, Statement } from './policy-document.js';
import { PolicyDocumentError } from './policy-document.js';
import type { RequestContext } from './request-context.js';

const ACCOUNT = '123456789012';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const arn = (name: string) => `arn:aws:codepipeline:us-east-1:${ACCOUNT}:${name}`;

function policy(...statements: Statement[]): PolicyDocument {
  return parsePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: statements }));
}

function request(
  action: string,
  resource = arn('app'),
  conditionKeys: RequestContext['conditionKeys'] = {},
): RequestContext {
  return { principalArn: ALICE, action, resource, conditionKeys };
}

const allow = (
  Action: string | string[],
  Resource: string | string[] = '*',
  extra: Partial<Statement> = {},
): Statement => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...extra,
});
const deny = (
  Action: string | string[],
  Resource: string | string[] = '*',
  extra: Partial<Statement> = {},
): Statement => ({
  ...allow(Action, Resource, extra),
  Effect: 'Deny',
});

const FULL = policy(allow('*'));
const PIPELINES = policy(allow('codepipeline:*'));
const MFA_ABSENT = {};
const MFA_USED = { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '300' };
// AWS's "deny everything but MFA self-management unless signed in with MFA" pattern.
const DENY_WITHOUT_MFA = deny(
  ['iam:CreateVirtualMFADevice', 'iam:EnableMFADevice', 'iam:ListMFADevices'],
  '*',
  {
    Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
  },
);
const DENY_WITHOUT_MFA_NOT_ACTION: Statement = {
  ...DENY_WITHOUT_MFA,
  Action: undefined,
  NotAction: DENY_WITHOUT_MFA.Action,
};
type Case = [string, Omit<EvaluationInput, 'context'>, RequestContext, string];

const CASES: Case[] = [
  [
    'no policies: implicit deny',
    { identityPolicies: [] },
    request('codepipeline:GetPipeline'),
    'ImplicitDeny',
  ],
  [
    'identity Allow',
    { identityPolicies: [PIPELINES] },
    request('codepipeline:GetPipeline'),
    'Allow',
  ],
  [
    'explicit Deny in another policy wins',
    { identityPolicies: [FULL, policy(deny('codepipeline:DeletePipeline'))] },
    request('codepipeline:DeletePipeline'),
    'ExplicitDeny',
  ],
  [
    'a Deny for another action leaves the Allow',
    { identityPolicies: [FULL, policy(deny('codepipeline:DeletePipeline'))] },
    request('codepipeline:GetPipeline'),
    'Allow',
  ],
  [
    'actions are case-insensitive',
    { identityPolicies: [policy(allow('CodePipeline:getpipeline'))] },
    request('codepipeline:GetPipeline'),
    'Allow',
  ],
  [
    'resources are case-sensitive',
    { identityPolicies: [policy(allow('codepipeline:*', arn('App')))] },
    request('codepipeline:GetPipeline', arn('app')),
    'ImplicitDeny',
  ],
  [
    'account-wide resource pattern',
    { identityPolicies: [policy(allow('codepipeline:*', arn('*')))] },
    request('codepipeline:GetPipeline'),
    'Allow',
  ],
  [
    'boundary: identity allows what the boundary does not',
    {
      identityPolicies: [policy(allow('iam:CreateUser'))],
      permissionsBoundary: policy(allow(['s3:*', 'cloudwatch:*', 'ec2:*'])),
    },
    request('iam:CreateUser', '*'),
    'ImplicitDeny',
  ],
  [
    'boundary: allowed by both',
    {
      identityPolicies: [policy(allow('s3:*'))],
      permissionsBoundary: policy(allow(['s3:*', 'cloudwatch:*', 'ec2:*'])),
    },
    request('s3:ListBucket', 'arn:aws:s3:::b'),
    'Allow',
  ],
  [
    'boundary grants nothing on its own',
    { identityPolicies: [], permissionsBoundary: FULL },
    request('codepipeline:GetPipeline'),
    'ImplicitDeny',
  ],
  [
    'Deny in the boundary wins',
    {
      identityPolicies: [FULL],
      permissionsBoundary: policy(allow('*'), deny('codepipeline:Delete*')),
    },
    request('codepipeline:DeletePipeline'),
    'ExplicitDeny',
  ],
  [
    'session policy intersects: allowed by both',
    { identityPolicies: [PIPELINES], sessionPolicies: [policy(allow('codepipeline:Get*'))] },
    request('codepipeline:GetPipeline'),
    'Allow',
  ],
  [
    'session policy intersects: identity only',
    { identityPolicies: [PIPELINES], sessionPolicies: [policy(allow('codepipeline:Get*'))] },
    request('codepipeline:DeletePipeline'),
    'ImplicitDeny',
  ],
  [
    'session policy grants nothing on its own',
    { identityPolicies: [], sessionPolicies: [FULL] },
    request('codepipeline:GetPipeline'),
    'ImplicitDeny',
  ],
  [
    'no session policies ([]) is no limit',
    { identityPolicies: [PIPELINES], sessionPolicies: [] },
    request('codepipeline:DeletePipeline'),
    'Allow',
  ],
  [
    'Deny in a session policy wins',
    {
      identityPolicies: [FULL],
      sessionPolicies: [policy(allow('*'), deny('codepipeline:DeletePipeline'))],
    },
    request('codepipeline:DeletePipeline'),
    'ExplicitDeny',
  ],
  [
    'identity, boundary and session all allow',
    { identityPolicies: [PIPELINES], permissionsBoundary: PIPELINES, sessionPolicies: [PIPELINES] },
    request('codepipeline:GetPipeline'),
    'Allow',
  ],
  [
    'identity and session allow, boundary does not',
    {
      identityPolicies: [PIPELINES],
      permissionsBoundary: policy(allow('s3:*')),
      sessionPolicies: [PIPELINES],
    },
    request('codepipeline:GetPipeline'),
    'ImplicitDeny',
  ],
  [
    'Allow with NotAction grants everything else',
    { identityPolicies: [policy({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })] },
    request('codepipeline:GetPipeline'),
    'Allow',
  ],
  [
    'Allow with NotAction: the excluded action',
    { identityPolicies: [policy({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })] },
    request('iam:CreateUser', '*'),
    'ImplicitDeny',
  ],
  [
    'Deny NotAction without MFA: other actions denied',
    { identityPolicies: [policy(allow('*'), DENY_WITHOUT_MFA_NOT_ACTION)] },
    request('codepipeline:DeletePipeline', arn('app'), MFA_ABSENT),
    'ExplicitDeny',
  ],
  [
    'Deny NotAction without MFA: listed action allowed',
    { identityPolicies: [policy(allow('*'), DENY_WITHOUT_MFA_NOT_ACTION)] },
    request('iam:ListMFADevices', '*', MFA_ABSENT),
    'Allow',
  ],
  [
    'Deny NotAction without MFA: signed in with MFA',
    { identityPolicies: [policy(allow('*'), DENY_WITHOUT_MFA_NOT_ACTION)] },
    request('codepipeline:DeletePipeline', arn('app'), MFA_USED),
    'Allow',
  ],
  [
    'Allow with NotResource: another pipeline',
    {
      identityPolicies: [
        policy({ Effect: 'Allow', Action: 'codepipeline:*', NotResource: arn('prod-*') }),
      ],
    },
    request('codepipeline:UpdatePipeline', arn('staging')),
    'Allow',
  ],
  [
    'Allow with NotResource: the excluded pipeline',
    {
      identityPolicies: [
        policy({ Effect: 'Allow', Action: 'codepipeline:*', NotResource: arn('prod-*') }),
      ],
    },
    request('codepipeline:UpdatePipeline', arn('prod-web')),
    'ImplicitDeny',
  ],
  [
    'Deny with NotResource: outside the bucket',
    {
      identityPolicies: [
        FULL,
        policy({
          Effect: 'Deny',
          Action: 's3:*',
          NotResource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'],
        }),
      ],
    },
    request('s3:GetObject', 'arn:aws:s3:::other/k'),
    'ExplicitDeny',
  ],
  [
    'Deny with NotResource: inside the bucket',
    {
      identityPolicies: [
        FULL,
        policy({
          Effect: 'Deny',
          Action: 's3:*',
          NotResource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'],
        }),
      ],
    },
    request('s3:GetObject', 'arn:aws:s3:::b/k'),
    'Allow',
  ],
];

describe('evaluatePolicies', () => {
  it.each(CASES)('%s', (_name, policies, context, decision) => {
    expect(evaluatePolicies({ ...policies, context }).decision).toBe(decision);
  });
});

describe('matched statements for the access review', () => {
  it('names the Deny that decided an explicit deny', () => {
    const result = evaluatePolicies({
      identityPolicies: [
        FULL,
        policy(allow('*'), { ...deny('codepipeline:Delete*'), Sid: 'NoDeletes' }),
      ],
      context: request('codepipeline:DeletePipeline'),
    });
    expect(result.matchedStatements).toEqual([
      {
        policyType: 'identity',
        policyIndex: 1,
        statementIndex: 1,
        sid: 'NoDeletes',
        effect: 'Deny',
      },
    ]);
  });

  it('names the granting Allow and the boundary and session Allows that let it through', () => {
    const result = evaluatePolicies({
      identityPolicies: [policy(allow('s3:*')), PIPELINES],
      permissionsBoundary: policy({ ...allow('codepipeline:Get*'), Sid: 'Reads' }),
      sessionPolicies: [FULL],
      context: request('codepipeline:GetPipeline'),
    });
    expect(result.matchedStatements).toEqual([
      { policyType: 'identity', policyIndex: 1, statementIndex: 0, effect: 'Allow' },
      {
        policyType: 'permissionsBoundary',
        policyIndex: 0,
        statementIndex: 0,
        sid: 'Reads',
        effect: 'Allow',
      },
      { policyType: 'session', policyIndex: 0, statementIndex: 0, effect: 'Allow' },
    ]);
  });

  it('lists nothing for an implicit deny', () => {
    const result = evaluatePolicies({
      identityPolicies: [PIPELINES],
      permissionsBoundary: policy(allow('s3:*')),
      context: request('codepipeline:GetPipeline'),
    });
    expect(result).toEqual({ decision: 'ImplicitDeny', matchedStatements: [] });
  });
});

describe('documents that were not parsed', () => {
  it('validates and evaluates a document built in code', () => {
    const built: PolicyDocument = {
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Action: 'codepipeline:Get*', Resource: '*' },
    };
    const evaluate = () =>
      evaluatePolicies({ identityPolicies: [built], context: request('codepipeline:GetPipeline') })
        .decision;
    expect([evaluate(), evaluate()]).toEqual(['Allow', 'Allow']);
  });

  it('refuses a malformed one with MalformedPolicyDocument', () => {
    const built = { Statement: [{ Effect: 'Allow', Resource: '*' }] } as unknown as PolicyDocument;
    expect(() =>
      evaluatePolicies({ identityPolicies: [built], context: request('codepipeline:GetPipeline') }),
    ).toThrow(PolicyDocumentError);
  });
});
