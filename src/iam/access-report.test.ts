import { describe, expect, it } from 'vitest';
import type { AccessReportInput, NamedPolicy, ReportPrincipalInput } from './access-report.js';
import { PIPELINE_ACTIONS, buildAccessReport } from './access-report.js';
import { parsePolicyDocument } from './policy/parse-policy-document.js';

const ACCOUNT = '123456789012';
const DAY_MS = 86_400_000;
const NOW_MS = Date.UTC(2026, 10, 22, 12, 0, 0);
const arn = (name: string) => `arn:aws:codepipeline:us-east-1:${ACCOUNT}:${name}`;
const PIPELINES = ['dev', 'prod'].map((name) => ({
  name,
  arn: arn(name),
  approvals: ['Hold/Gate'],
}));

function policy(name: string, statements: object[], attachedTo = 'managed'): NamedPolicy {
  const text = JSON.stringify({ Version: '2012-10-17', Statement: statements });
  return {
    id: attachedTo === 'managed' ? `arn:aws:iam::${ACCOUNT}:policy/${name}` : `inline:${name}`,
    name,
    attachedTo,
    document: parsePolicyDocument(text, { kind: 'identity' }),
  };
}

function user(name: string, policies: NamedPolicy[], extra: Partial<ReportPrincipalInput> = {}) {
  const principal: ReportPrincipalInput = {
    type: 'user',
    name,
    arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
    policies,
    accessKeys: [],
    mfaEnabled: undefined,
    ...extra,
  };
  return principal;
}

function report(principals: ReportPrincipalInput[], mfaAvailable = false) {
  const input: AccessReportInput = {
    accountId: ACCOUNT,
    principals,
    pipelines: PIPELINES,
    mfaAvailable,
    nowMs: NOW_MS,
  };
  return buildAccessReport(input);
}

/** `{ pipeline: { action: access } }` of one principal, without the `codepipeline:` prefix. */
function accessMap(r: ReturnType<typeof report>, name: string) {
  const principal = r.principals.find((p) => p.name === name);
  if (!principal) throw new Error(`no principal ${name}`);
  const map: Record<string, Record<string, string>> = {};
  for (const p of [
    ...principal.pipelines,
    { pipelineName: '*', actions: principal.accountActions },
  ])
    map[p.pipelineName] = Object.fromEntries(
      p.actions.map((a) => [a.action.replace('codepipeline:', ''), a.access]),
    );
  return map;
}

describe('buildAccessReport', () => {
  it('shows a reader what it can read, and nothing it cannot', () => {
    const reader = user('reader', [
      policy('read', [
        { Effect: 'Allow', Action: ['codepipeline:Get*', 'codepipeline:List*'], Resource: '*' },
      ]),
    ]);
    const access = accessMap(report([reader]), 'reader');
    expect(Object.keys(access.dev ?? {}).sort()).toEqual([
      'GetPipeline',
      'GetPipelineExecution',
      'GetPipelineState',
      'ListActionExecutions',
      'ListPipelineExecutions',
      'ListTagsForResource',
    ]);
    expect(access.prod).toEqual(access.dev);
    expect(access['*']).toEqual({ ListPipelines: 'allowed', ListActionTypes: 'allowed' });
  });

  it('names an admin-like wildcard grant by policy and Sid, and the root as allowed everything', () => {
    const admin = user('ops', [
      policy('AdminAccess', [{ Sid: 'Everything', Effect: 'Allow', Action: '*', Resource: '*' }]),
    ]);
    const root: ReportPrincipalInput = { ...user('lockstep-admin', []), type: 'root' };
    const r = report([root, admin]);
    // Every pipeline action, plus PutApprovalResult on the pipeline's approval action.
    expect(Object.keys(accessMap(r, 'ops').prod ?? {})).toHaveLength(PIPELINE_ACTIONS.length + 1);
    expect(accessMap(r, 'lockstep-admin')).toEqual(accessMap(r, 'ops'));
    expect(r.principals[0]?.rootEquivalent).toBe(true);
    const wildcards = r.findings.filter((f) => f.kind.startsWith('wildcard-'));
    expect(wildcards.map((f) => [f.kind, f.policy, f.sid, f.principals])).toEqual([
      ['wildcard-action', 'AdminAccess', 'Everything', ['ops']],
      ['wildcard-resource', 'AdminAccess', 'Everything', ['ops']],
    ]);
  });

  it('does not flag a `*` resource on actions that only exist on `*`', () => {
    const lister = user('lister', [
      policy('list', [{ Effect: 'Allow', Action: 'codepipeline:ListPipelines', Resource: '*' }]),
    ]);
    expect(report([lister]).findings).toEqual([]);
  });

  it('lets an explicit deny win over a service-wide allow', () => {
    const dev = user('dev', [
      policy('all-pipelines', [{ Effect: 'Allow', Action: 'codepipeline:*', Resource: '*' }]),
      policy(
        'no-prod-delete',
        [{ Effect: 'Deny', Action: 'codepipeline:DeletePipeline', Resource: arn('prod') }],
        'user/dev',
      ),
    ]);
    const access = accessMap(report([dev]), 'dev');
    expect(access.dev?.DeletePipeline).toBe('allowed');
    expect(access.prod?.DeletePipeline).toBeUndefined();
    expect(access.prod?.UpdatePipeline).toBe('allowed');
  });

  it('reports a grant that needs MFA as allowed only with MFA, and never guesses a source IP', () => {
    const approver = user('approver', [
      policy('approve', [
        { Effect: 'Allow', Action: 'codepipeline:GetPipeline', Resource: '*' },
        {
          Effect: 'Allow',
          Action: 'codepipeline:PutApprovalResult',
          // Approvals are authorized on pipeline/stage/action, as in CodePipeline.
          Resource: `${arn('prod')}/Hold/Gate`,
          Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
        },
        {
          Effect: 'Allow',
          Action: 'codepipeline:StartPipelineExecution',
          Resource: '*',
          Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
        },
        {
          Effect: 'Deny',
          Action: 'codepipeline:GetPipeline',
          Resource: arn('dev'),
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ]),
    ]);
    const access = accessMap(report([approver]), 'approver');
    expect(access.prod?.PutApprovalResult).toBe('allowed-with-mfa');
    expect(access.dev?.PutApprovalResult).toBeUndefined();
    expect(access.prod?.StartPipelineExecution).toBe('conditional');
    expect(access.prod?.GetPipeline).toBe('allowed');
    expect(access.dev?.GetPipeline).toBe('conditional');
    const prod = report([approver]).principals[0]?.pipelines.find((p) => p.pipelineName === 'prod');
    const start = prod?.actions.find((a) => a.action === 'codepipeline:StartPipelineExecution');
    expect(start?.dependsOn).toEqual(['aws:sourceip']);
  });

  it('lets a permissions boundary limit a role', () => {
    const role: ReportPrincipalInput = {
      ...user('deploy', [policy('full', [{ Effect: 'Allow', Action: '*', Resource: '*' }])]),
      type: 'role',
      arn: `arn:aws:iam::${ACCOUNT}:role/deploy`,
      permissionsBoundary: policy('only-start', [
        { Effect: 'Allow', Action: 'codepipeline:StartPipelineExecution', Resource: arn('dev') },
      ]),
    };
    const r = report([role]);
    expect(accessMap(r, 'deploy')).toEqual({ dev: { StartPipelineExecution: 'allowed' }, '*': {} });
    expect(r.principals[0]?.mfa).toBe('not-applicable');
  });

  it('flags keys never used, unused for 90 days, and older than 90 days', () => {
    const keys = [
      { accessKeyId: 'AKIAFRESH', createdMs: NOW_MS - 10 * DAY_MS, lastUsedMs: undefined },
      {
        accessKeyId: 'AKIAIDLE',
        createdMs: NOW_MS - 200 * DAY_MS,
        lastUsedMs: NOW_MS - 91 * DAY_MS,
      },
      { accessKeyId: 'AKIABUSY', createdMs: NOW_MS - 30 * DAY_MS, lastUsedMs: NOW_MS - DAY_MS },
      { accessKeyId: 'AKIAOLD', createdMs: NOW_MS - 95 * DAY_MS, lastUsedMs: NOW_MS - DAY_MS },
    ].map((k) => ({ ...k, status: 'Active' as const }));
    const r = report([user('keyholder', [], { accessKeys: keys })]);
    expect(r.findings.map((f) => [f.kind, f.accessKeyId])).toEqual([
      ['key-never-used', 'AKIAFRESH'],
      ['key-unused-90-days', 'AKIAIDLE'],
      ['key-older-than-90-days', 'AKIAIDLE'],
      ['key-older-than-90-days', 'AKIAOLD'],
    ]);
    expect(r.findings[1]?.detail).toContain('91 days ago');
    const busy = r.principals[0]?.accessKeys.find((k) => k.accessKeyId === 'AKIABUSY');
    expect(busy?.lastUsedDate).toEqual(new Date(NOW_MS - DAY_MS));
  });

  it('flags active users without MFA only when MFA status is known', () => {
    const key = {
      accessKeyId: 'AKIA1',
      status: 'Active' as const,
      createdMs: NOW_MS,
      lastUsedMs: NOW_MS,
    };
    const principals = [
      user('no-mfa', [], { accessKeys: [key], mfaEnabled: false }),
      user('has-mfa', [], { accessKeys: [{ ...key, accessKeyId: 'AKIA2' }], mfaEnabled: true }),
      user('no-keys', [], { mfaEnabled: false }),
      user('inactive', [], { accessKeys: [{ ...key, status: 'Inactive' }], mfaEnabled: false }),
    ];
    const known = report(principals, true);
    expect(
      known.findings.filter((f) => f.kind === 'user-without-mfa').map((f) => f.principals),
    ).toEqual([['no-mfa']]);
    expect(known.principals.map((p) => p.mfa)).toEqual([
      'not-enabled',
      'enabled',
      'not-enabled',
      'not-enabled',
    ]);
    const unknown = report(
      principals.map((p) => ({ ...p, mfaEnabled: undefined })),
      false,
    );
    expect(unknown.mfaStatus).toBe('unknown (not available)');
    expect(unknown.principals.every((p) => p.mfa === 'unknown')).toBe(true);
    expect(unknown.findings.filter((f) => f.kind === 'user-without-mfa')).toEqual([]);
  });
});
