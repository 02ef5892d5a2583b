import { describe, expect, it } from 'vitest';
import { compileConditionBlock } from './compile-condition.js';
import { conditionsHold } from './evaluate-condition.js';
import type { ConditionBlock } from './policy-document.js';
import { buildEvaluationContext } from './request-context.js';

type Keys = Record<string, string | string[] | undefined>;

function holds(block: ConditionBlock, keys: Keys, variables = true): boolean {
  const { conditions } = compileConditionBlock(block, 'Condition', variables);
  const context = buildEvaluationContext({
    principalArn: 'arn:aws:iam::123456789012:user/alice',
    action: 'codepipeline:GetPipeline',
    resource: '*',
    conditionKeys: keys,
  });
  return conditionsHold(conditions, context);
}

const MFA = 'aws:MultiFactorAuthPresent';
const TAG = 'aws:RequestTag/team';
const IP = 'aws:SourceIp';

// [name, condition block, request keys, expected]: missing keys, IfExists, Null, set
// operators, how values, keys and operators combine, and policy variables.
const CASES: [string, ConditionBlock, Keys, boolean][] = [
  ['StringEquals, key absent', { StringEquals: { [TAG]: 'a' } }, {}, false],
  ['StringNotEquals, key absent', { StringNotEquals: { [TAG]: 'a' } }, {}, true],
  ['StringNotLike, key absent', { StringNotLike: { [TAG]: 'prod-*' } }, {}, true],
  [
    'NumericLessThan, key absent',
    { NumericLessThan: { 'aws:MultiFactorAuthAge': '900' } },
    {},
    false,
  ],
  ['Bool MFA true, key absent: no match', { Bool: { [MFA]: 'true' } }, {}, false],
  ['Bool MFA false, key absent: no match', { Bool: { [MFA]: 'false' } }, {}, false],
  ['BoolIfExists MFA false, key absent: match', { BoolIfExists: { [MFA]: 'false' } }, {}, true],
  [
    'BoolIfExists MFA false, MFA used',
    { BoolIfExists: { [MFA]: 'false' } },
    { [MFA]: 'true' },
    false,
  ],
  ['IpAddress, key absent', { IpAddress: { [IP]: '0.0.0.0/0' } }, {}, false],
  ['ArnNotLike, key absent', { ArnNotLike: { 'aws:SourceArn': 'arn:aws:sns:*:*:t' } }, {}, true],
  ['Null true, key absent', { Null: { 'aws:TokenIssueTime': 'true' } }, {}, true],
  [
    'Null true, key present',
    { Null: { 'aws:TokenIssueTime': 'true' } },
    { 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' },
    false,
  ],
  ['Null false, key present', { Null: { [TAG]: false } }, { [TAG]: 'a' }, true],
  ['Null false, key absent', { Null: { [TAG]: 'false' } }, {}, false],
  [
    'Null true, empty multi-valued key',
    { Null: { 'aws:TagKeys': 'true' } },
    { 'aws:TagKeys': [] },
    true,
  ],
  ['StringEqualsIfExists, key absent', { StringEqualsIfExists: { [TAG]: 'a' } }, {}, true],
  [
    'StringEqualsIfExists, other value',
    { StringEqualsIfExists: { [TAG]: 'a' } },
    { [TAG]: 'b' },
    false,
  ],
  ['NumericLessThanIfExists, key absent', { NumericLessThanIfExists: { 'x:n': '1' } }, {}, true],
  ['StringNotEqualsIfExists, key absent', { StringNotEqualsIfExists: { [TAG]: 'a' } }, {}, true],
  [
    'StringNotEqualsIfExists, same value',
    { StringNotEqualsIfExists: { [TAG]: 'a' } },
    { [TAG]: 'a' },
    false,
  ],
  [
    'ForAllValues, all listed',
    { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env', 'cost'] } },
    { 'aws:TagKeys': ['team', 'env'] },
    true,
  ],
  [
    'ForAllValues, one not listed',
    { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] } },
    { 'aws:TagKeys': ['team', 'owner'] },
    false,
  ],
  [
    'ForAllValues, key absent is true',
    { 'ForAllValues:StringEquals': { 'aws:TagKeys': 'team' } },
    {},
    true,
  ],
  [
    'ForAllValues, empty set is true',
    { 'ForAllValues:StringEquals': { 'aws:TagKeys': 'team' } },
    { 'aws:TagKeys': [] },
    true,
  ],
  [
    'ForAllValues with StringLike (DynamoDB example)',
    {
      'ForAllValues:StringLike': {
        'dynamodb:requestedAttributes': ['PostDateTime', 'Message', 'Tags'],
      },
    },
    { 'dynamodb:requestedAttributes': ['PostDateTime', 'UserName'] },
    false,
  ],
  [
    'ForAllValues:StringNotEquals, none listed',
    { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': 'a' } },
    { 'aws:TagKeys': ['x', 'y'] },
    true,
  ],
  [
    'ForAllValues:StringNotEquals, one listed',
    { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': 'a' } },
    { 'aws:TagKeys': ['a', 'x'] },
    false,
  ],
  [
    'ForAnyValue, one listed',
    { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'team' } },
    { 'aws:TagKeys': ['owner', 'team'] },
    true,
  ],
  [
    'ForAnyValue, none listed',
    { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'team' } },
    { 'aws:TagKeys': ['owner'] },
    false,
  ],
  [
    'ForAnyValue, key absent is false',
    { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'team' } },
    {},
    false,
  ],
  [
    'ForAnyValue, empty set is false',
    { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'team' } },
    { 'aws:TagKeys': [] },
    false,
  ],
  [
    'ForAnyValue:StringNotEquals, one unlisted',
    { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': 'a' } },
    { 'aws:TagKeys': ['a', 'b'] },
    true,
  ],
  [
    'ForAnyValue:StringNotEquals, all listed',
    { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': 'a' } },
    { 'aws:TagKeys': ['a'] },
    false,
  ],
  [
    'ForAnyValue:StringLikeIfExists, key absent',
    { 'ForAnyValue:StringLikeIfExists': { 'aws:TagKeys': 't*' } },
    {},
    true,
  ],
  [
    'plain operator, multi-valued key, any matches',
    { StringEquals: { 'aws:TagKeys': 'b' } },
    { 'aws:TagKeys': ['a', 'b'] },
    true,
  ],
  [
    'negated plain operator, multi-valued key, one matches',
    { StringNotEquals: { 'aws:TagKeys': 'b' } },
    { 'aws:TagKeys': ['a', 'b'] },
    false,
  ],
  [
    'keys under one operator are ANDed',
    { StringEquals: { [TAG]: 'a', 'aws:RequestTag/env': 'prod' } },
    { [TAG]: 'a', 'aws:RequestTag/env': 'dev' },
    false,
  ],
  [
    'operators are ANDed',
    { Bool: { [MFA]: 'true' }, NumericLessThan: { 'aws:MultiFactorAuthAge': '900' } },
    { [MFA]: 'true', 'aws:MultiFactorAuthAge': '1200' },
    false,
  ],
  [
    'operators are ANDed, all hold',
    { Bool: { [MFA]: 'true' }, NumericLessThan: { 'aws:MultiFactorAuthAge': '900' } },
    { [MFA]: 'true', 'aws:MultiFactorAuthAge': '60' },
    true,
  ],
  [
    'policy variable in StringEquals',
    { StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' } },
    { 'aws:ResourceTag/owner': 'alice' },
    true,
  ],
  [
    'policy variable in StringEquals, other owner',
    { StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' } },
    { 'aws:ResourceTag/owner': 'bob' },
    false,
  ],
  [
    'policy variable in StringLike',
    { StringLike: { 's3:prefix': 'home/${aws:username}/*' } },
    { 's3:prefix': 'home/alice/docs' },
    true,
  ],
  [
    'principal tag as a variable',
    { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } },
    { 'aws:ResourceTag/team': 'red', 'aws:PrincipalTag/team': 'red' },
    true,
  ],
  [
    '${*} in StringLike is a literal asterisk',
    { StringLike: { [TAG]: 'a${*}b' } },
    { [TAG]: 'axb' },
    false,
  ],
  [
    'variable default',
    { StringEquals: { [TAG]: "${aws:userid, 'anonymous'}" } },
    { [TAG]: 'anonymous' },
    true,
  ],
  [
    'operator names are read case-insensitively',
    { stringequalsignorecase: { [TAG]: 'A' } },
    { [TAG]: 'a' },
    true,
  ],
];

describe('evaluating conditions', () => {
  it.each(CASES)('%s', (_name, block, keys, expected) => {
    expect(holds(block, keys)).toBe(expected);
  });

  it('reads ${...} literally in a 2008-10-17 document', () => {
    const block = { StringLike: { 's3:prefix': 'home/${aws:username}/*' } };
    expect(holds(block, { 's3:prefix': 'home/${aws:username}/x' }, false)).toBe(true);
    expect(holds(block, { 's3:prefix': 'home/alice/x' }, false)).toBe(false);
  });
});
