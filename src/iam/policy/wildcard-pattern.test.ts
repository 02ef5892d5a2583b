import { describe, expect, it } from 'vitest';
import { parseTemplate } from './policy-template.js';
import { buildEvaluationContext } from './request-context.js';
import type { WildcardMode } from './wildcard-pattern.js';
import { compileWildcardMatcher } from './wildcard-pattern.js';

const ACCOUNT = '123456789012';
const PIPELINES = `arn:aws:codepipeline:us-east-1:${ACCOUNT}`;

const context = buildEvaluationContext({
  principalArn: `arn:aws:iam::${ACCOUNT}:user/alice`,
  action: 'codepipeline:GetPipeline',
  resource: '*',
  conditionKeys: { 'aws:PrincipalTag/prefix': 'x*' },
});

function matches(mode: WildcardMode, pattern: string, value: string, variables = true): boolean {
  return compileWildcardMatcher([parseTemplate(pattern, variables)], mode)(value, context);
}

describe('resource patterns', () => {
  it.each([
    ['* matches any ARN', '*', `${PIPELINES}:p`, true],
    ['* matches the resource *', '*', '*', true],
    ['account-wide pattern', `${PIPELINES}:*`, `${PIPELINES}:MyPipeline`, true],
    ['account-wide pattern, nested path', `${PIPELINES}:*`, `${PIPELINES}:p/Stage/Action`, true],
    [
      'account-wide pattern, other account',
      `${PIPELINES}:*`,
      'arn:aws:codepipeline:us-east-1:999999999999:p',
      false,
    ],
    [
      'account-wide pattern, other region',
      `${PIPELINES}:*`,
      `arn:aws:codepipeline:us-west-2:${ACCOUNT}:p`,
      false,
    ],
    ['an ARN pattern never matches the resource *', `${PIPELINES}:*`, '*', false],
    ['trailing * of a segment crosses colons', 'arn:aws:codepipeline:*', `${PIPELINES}:p`, true],
    [
      'trailing * keeps the service literal',
      'arn:aws:codepipeline:*',
      `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/p`,
      false,
    ],
    [
      'inner * stays in its segment',
      `arn:aws:codepipeline:us-*-1:${ACCOUNT}:p`,
      `${PIPELINES}:p`,
      true,
    ],
    [
      'inner * does not cross a colon',
      `arn:aws:codepipeline:us-*-1:${ACCOUNT}:p`,
      `arn:aws:codepipeline:us-x:y-1:${ACCOUNT}:p`,
      false,
    ],
    ['? is one character', `${PIPELINES}:pipeline-?`, `${PIPELINES}:pipeline-1`, true],
    ['? is exactly one character', `${PIPELINES}:pipeline-?`, `${PIPELINES}:pipeline-10`, false],
    [
      '? does not match a colon before the resource part',
      `arn:aws:codepipeline:us-east?1:${ACCOUNT}:p`,
      `arn:aws:codepipeline:us-east:1:${ACCOUNT}:p`,
      false,
    ],
    ['resources are case-sensitive', `${PIPELINES}:MyPipeline`, `${PIPELINES}:mypipeline`, false],
    [
      '* in the resource part matches / and :',
      'arn:aws:logs:us-east-1:123456789012:log-group:*',
      'arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s',
      true,
    ],
    [
      'S3 object pattern',
      'arn:aws:s3:::amzn-s3-demo-bucket/*',
      'arn:aws:s3:::amzn-s3-demo-bucket/a/b.txt',
      true,
    ],
    [
      'S3 object pattern, bucket itself',
      'arn:aws:s3:::amzn-s3-demo-bucket/*',
      'arn:aws:s3:::amzn-s3-demo-bucket',
      false,
    ],
    ['regular-expression characters are literal', `${PIPELINES}:a.b`, `${PIPELINES}:a-b`, false],
    ['policy variable', `${PIPELINES}:\${aws:username}-*`, `${PIPELINES}:alice-app`, true],
    [
      'policy variable, other user',
      `${PIPELINES}:\${aws:username}-*`,
      `${PIPELINES}:bob-app`,
      false,
    ],
    [
      'unresolvable variable matches nothing',
      `${PIPELINES}:\${aws:PrincipalTag/team}`,
      `${PIPELINES}:`,
      false,
    ],
    [
      'variable default',
      `${PIPELINES}:\${aws:userid, 'anonymous'}`,
      `${PIPELINES}:anonymous`,
      true,
    ],
    ['${*} is a literal asterisk', `${PIPELINES}:a\${*}`, `${PIPELINES}:a*`, true],
    ['${*} is not a wildcard', `${PIPELINES}:a\${*}`, `${PIPELINES}:abc`, false],
    ['${?} is a literal question mark', `${PIPELINES}:a\${?}`, `${PIPELINES}:ab`, false],
    ['${$} is a literal dollar', `${PIPELINES}:\${$}a`, `${PIPELINES}:$a`, true],
    [
      'a substituted * is data, not a wildcard',
      `${PIPELINES}:\${aws:PrincipalTag/prefix}`,
      `${PIPELINES}:xyz`,
      false,
    ],
    [
      'a substituted * matches itself',
      `${PIPELINES}:\${aws:PrincipalTag/prefix}`,
      `${PIPELINES}:x*`,
      true,
    ],
  ])('%s', (_name, pattern, value, expected) => {
    expect(matches('resource', pattern, value)).toBe(expected);
  });

  it('reads ${...} literally when variables are off (Version 2008-10-17)', () => {
    const pattern = `${PIPELINES}:\${aws:username}`;
    expect(matches('resource', pattern, `${PIPELINES}:\${aws:username}`, false)).toBe(true);
    expect(matches('resource', pattern, `${PIPELINES}:alice`, false)).toBe(false);
  });

  it('ORs a list of patterns, with and without variables', () => {
    const match = compileWildcardMatcher(
      [`${PIPELINES}:a`, `${PIPELINES}:\${aws:username}`].map((p) => parseTemplate(p, true)),
      'resource',
    );
    expect(
      [`${PIPELINES}:a`, `${PIPELINES}:alice`, `${PIPELINES}:b`].map((v) => match(v, context)),
    ).toEqual([true, true, false]);
  });
});

describe('action patterns', () => {
  it.each([
    ['prefix wildcard', 'codepipeline:Get*', 'codepipeline:GetPipeline', true],
    ['prefix wildcard, other verb', 'codepipeline:Get*', 'codepipeline:ListPipelines', false],
    ['prefix wildcard, other service', 'codepipeline:Get*', 'codebuild:GetProject', false],
    ['action name case-insensitive', 'codepipeline:Get*', 'codepipeline:getpipelinestate', true],
    [
      'service prefix case-insensitive',
      'CODEPIPELINE:GETPIPELINE',
      'codepipeline:GetPipeline',
      true,
    ],
    ['* is every action', '*', 'iam:CreateUser', true],
    ['? is one character', 'codepipeline:?etPipeline', 'codepipeline:GetPipeline', true],
    ['whole string only', 'codepipeline:Get', 'codepipeline:GetPipeline', false],
  ])('%s', (_name, pattern, value, expected) => {
    expect(matches('action', pattern, value, false)).toBe(expected);
  });
});

describe('ARN condition patterns versus string patterns', () => {
  // AWS's own example: StringLike matches, ArnLike does not, because ArnLike compares each of
  // the six colon-separated components separately.
  const pattern = 'arn:aws:someservice:*:111122223333:finance/*';
  const value =
    'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt';

  it('StringLike lets * run across colons', () => {
    expect(matches('string', pattern, value)).toBe(true);
  });

  it('ArnLike keeps * inside its component', () => {
    expect(matches('arn', pattern, value)).toBe(false);
    expect(
      matches('arn', pattern, 'arn:aws:someservice:us-east-2:111122223333:finance/q1/doc'),
    ).toBe(true);
  });

  it('ArnLike needs all six components', () => {
    expect(matches('arn', 'arn:aws:iam::*', `arn:aws:iam::${ACCOUNT}:user/a`)).toBe(false);
    expect(matches('arn', 'arn:aws:iam::*:user/*', 'not-an-arn')).toBe(false);
  });

  it('StringLike * matches a newline inside a value', () => {
    expect(matches('string', 'a*b', 'a\nb')).toBe(true);
  });
});
