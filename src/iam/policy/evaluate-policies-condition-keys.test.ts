import { describe, expect, it } from 'vitest';
import type { EvaluationInput } from './evaluate-policies.js';
import { evaluatePolicies } from './evaluate-policies.js';
import { parsePolicyDocument } from './parse-policy-document.js';
import type { PolicyDocument, Statement } from './policy-document.js';
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
const APPROVE_WITH_RECENT_MFA = policy(
  allow('codepipeline:PutApprovalResult', '*', {
    Condition: {
      Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      NumericLessThan: { 'aws:MultiFactorAuthAge': '900' },
    },
  }),
);
const TEAM_OWNS = policy(
  allow('codepipeline:*', '*', {
    Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } },
  }),
);
const TAG_ON_CREATE = policy(
  allow('codepipeline:CreatePipeline', '*', {
    Condition: {
      StringEquals: { 'aws:RequestTag/team': ['red', 'blue'] },
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] },
    },
  }),
);

type Case = [string, Omit<EvaluationInput, 'context'>, RequestContext, string];

const CASES: Case[] = [
  [
    'MFA required, key absent: no Allow',
    { identityPolicies: [APPROVE_WITH_RECENT_MFA] },
    request('codepipeline:PutApprovalResult', '*', MFA_ABSENT),
    'ImplicitDeny',
  ],
  [
    'MFA required, recent MFA',
    { identityPolicies: [APPROVE_WITH_RECENT_MFA] },
    request('codepipeline:PutApprovalResult', '*', MFA_USED),
    'Allow',
  ],
  [
    'MFA required, MFA too old',
    { identityPolicies: [APPROVE_WITH_RECENT_MFA] },
    request('codepipeline:PutApprovalResult', '*', {
      ...MFA_USED,
      'aws:MultiFactorAuthAge': '1200',
    }),
    'ImplicitDeny',
  ],
  [
    'Deny Bool MFA false does not fire when the key is absent',
    {
      identityPolicies: [
        FULL,
        policy(deny('*', '*', { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } })),
      ],
    },
    request('codepipeline:DeletePipeline', arn('app'), MFA_ABSENT),
    'Allow',
  ],
  [
    'Deny BoolIfExists MFA false fires when the key is absent',
    { identityPolicies: [FULL, policy(DENY_WITHOUT_MFA)] },
    request('iam:EnableMFADevice', '*', MFA_ABSENT),
    'ExplicitDeny',
  ],
  [
    'Deny from outside the office network',
    {
      identityPolicies: [
        FULL,
        policy(
          deny('*', '*', { Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }),
        ),
      ],
    },
    request('codepipeline:GetPipeline', arn('app'), { 'aws:SourceIp': '198.51.100.7' }),
    'ExplicitDeny',
  ],
  [
    'Allow from inside the office network',
    {
      identityPolicies: [
        FULL,
        policy(
          deny('*', '*', { Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }),
        ),
      ],
    },
    request('codepipeline:GetPipeline', arn('app'), { 'aws:SourceIp': '203.0.113.9' }),
    'Allow',
  ],
  [
    'Deny without TLS',
    {
      identityPolicies: [
        FULL,
        policy(deny('*', '*', { Condition: { Bool: { 'aws:SecureTransport': 'false' } } })),
      ],
    },
    request('codepipeline:GetPipeline', arn('app'), { 'aws:SecureTransport': 'false' }),
    'ExplicitDeny',
  ],
  [
    'Allow inside a time window',
    {
      identityPolicies: [
        policy(
          allow('*', '*', {
            Condition: {
              DateGreaterThan: { 'aws:CurrentTime': '2024-01-01T00:00:00Z' },
              DateLessThan: { 'aws:CurrentTime': '2024-12-31T23:59:59Z' },
            },
          }),
        ),
      ],
    },
    request('codepipeline:GetPipeline', arn('app'), { 'aws:CurrentTime': '2024-06-30T12:00:00Z' }),
    'Allow',
  ],
  [
    'Allow outside a time window',
    {
      identityPolicies: [
        policy(
          allow('*', '*', {
            Condition: { DateLessThan: { 'aws:CurrentTime': '2024-12-31T23:59:59Z' } },
          }),
        ),
      ],
    },
    request('codepipeline:GetPipeline', arn('app'), { 'aws:CurrentTime': '2025-01-01T00:00:00Z' }),
    'ImplicitDeny',
  ],
  [
    'Allow only for a principal ARN pattern',
    {
      identityPolicies: [
        policy(
          allow('*', '*', {
            Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/a*` } },
          }),
        ),
      ],
    },
    request('codepipeline:GetPipeline'),
    'Allow',
  ],
  [
    'principal tag matches resource tag',
    { identityPolicies: [TEAM_OWNS] },
    request('codepipeline:GetPipeline', arn('app'), {
      'aws:PrincipalTag/team': 'red',
      'aws:ResourceTag/team': 'red',
    }),
    'Allow',
  ],
  [
    'principal tag differs from resource tag',
    { identityPolicies: [TEAM_OWNS] },
    request('codepipeline:GetPipeline', arn('app'), {
      'aws:PrincipalTag/team': 'red',
      'aws:ResourceTag/team': 'blue',
    }),
    'ImplicitDeny',
  ],
  [
    'untagged principal: the variable cannot resolve',
    { identityPolicies: [TEAM_OWNS] },
    request('codepipeline:GetPipeline', arn('app'), { 'aws:ResourceTag/team': '' }),
    'ImplicitDeny',
  ],
  [
    'create with allowed tags',
    { identityPolicies: [TAG_ON_CREATE] },
    request('codepipeline:CreatePipeline', arn('new'), {
      'aws:RequestTag/team': 'red',
      'aws:TagKeys': ['team'],
    }),
    'Allow',
  ],
  [
    'create with an extra tag key',
    { identityPolicies: [TAG_ON_CREATE] },
    request('codepipeline:CreatePipeline', arn('new'), {
      'aws:RequestTag/team': 'red',
      'aws:TagKeys': ['team', 'owner'],
    }),
    'ImplicitDeny',
  ],
  [
    'create without the team tag',
    { identityPolicies: [TAG_ON_CREATE] },
    request('codepipeline:CreatePipeline', arn('new'), { 'aws:TagKeys': ['env'] }),
    'ImplicitDeny',
  ],
  [
    'policy variable in Resource',
    { identityPolicies: [policy(allow('codepipeline:*', arn('${aws:username}-*')))] },
    request('codepipeline:GetPipeline', arn('alice-app')),
    'Allow',
  ],
  [
    'policy variable in Resource, another user',
    { identityPolicies: [policy(allow('codepipeline:*', arn('${aws:username}-*')))] },
    request('codepipeline:GetPipeline', arn('bob-app')),
    'ImplicitDeny',
  ],
  [
    'no Version: ${aws:username} is literal text',
    {
      identityPolicies: [
        parsePolicyDocument(
          JSON.stringify({ Statement: allow('codepipeline:*', arn('${aws:username}-*')) }),
        ),
      ],
    },
    request('codepipeline:GetPipeline', arn('alice-app')),
    'ImplicitDeny',
  ],
  [
    'unresolvable variable: an Allow with NotResource grants nothing',
    {
      identityPolicies: [
        policy({ Effect: 'Allow', Action: '*', NotResource: arn('${aws:PrincipalTag/team}-*') }),
      ],
    },
    request('codepipeline:GetPipeline'),
    'ImplicitDeny',
  ],
];

describe('global condition keys and policy variables, end to end', () => {
  it.each(CASES)('%s', (_name, policies, context, decision) => {
    expect(evaluatePolicies({ ...policies, context }).decision).toBe(decision);
  });
});
