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
const TIME = 'aws:CurrentTime';
const IP = 'aws:SourceIp';
const PRINCIPAL = 'aws:PrincipalArn';
const ROLE = 'arn:aws:iam::123456789012:role/deploy-prod';

// [name, condition block, request keys, expected]: each operator, matching and not.
const CASES: [string, ConditionBlock, Keys, boolean][] = [
  ['StringEquals match', { StringEquals: { [TAG]: 'a' } }, { [TAG]: 'a' }, true],
  ['StringEquals is case-sensitive', { StringEquals: { [TAG]: 'a' } }, { [TAG]: 'A' }, false],
  ['StringEquals values are ORed', { StringEquals: { [TAG]: ['a', 'b'] } }, { [TAG]: 'b' }, true],
  [
    'StringEquals, key names case-insensitive',
    { StringEquals: { 'AWS:REQUESTTAG/TEAM': 'a' } },
    { 'aws:requesttag/team': 'a' },
    true,
  ],
  [
    'StringNotEquals, other value',
    { StringNotEquals: { [TAG]: ['a', 'b'] } },
    { [TAG]: 'c' },
    true,
  ],
  [
    'StringNotEquals NORs its values',
    { StringNotEquals: { [TAG]: ['a', 'b'] } },
    { [TAG]: 'b' },
    false,
  ],
  [
    'StringEqualsIgnoreCase match',
    { StringEqualsIgnoreCase: { [TAG]: 'team-a' } },
    { [TAG]: 'TEAM-A' },
    true,
  ],
  [
    'StringEqualsIgnoreCase mismatch',
    { StringEqualsIgnoreCase: { [TAG]: 'team-a' } },
    { [TAG]: 'team-b' },
    false,
  ],
  [
    'StringNotEqualsIgnoreCase, same but for case',
    { StringNotEqualsIgnoreCase: { [TAG]: 'team-a' } },
    { [TAG]: 'TEAM-A' },
    false,
  ],
  [
    'StringNotEqualsIgnoreCase, other value',
    { StringNotEqualsIgnoreCase: { [TAG]: 'team-a' } },
    { [TAG]: 'x' },
    true,
  ],
  [
    'StringLike *',
    { StringLike: { 's3:prefix': 'home/*' } },
    { 's3:prefix': 'home/alice/x' },
    true,
  ],
  [
    'StringLike is case-sensitive',
    { StringLike: { 's3:prefix': 'home/*' } },
    { 's3:prefix': 'Home/alice' },
    false,
  ],
  ['StringLike ?', { StringLike: { [TAG]: 'v?' } }, { [TAG]: 'v1' }, true],
  ['StringLike ? is one character', { StringLike: { [TAG]: 'v?' } }, { [TAG]: 'v10' }, false],
  ['StringNotLike, no match', { StringNotLike: { [TAG]: 'prod-*' } }, { [TAG]: 'dev-1' }, true],
  ['StringNotLike, match', { StringNotLike: { [TAG]: 'prod-*' } }, { [TAG]: 'prod-1' }, false],
  ['NumericEquals', { NumericEquals: { 'x:n': '10' } }, { 'x:n': '10.0' }, true],
  ['NumericEquals mismatch', { NumericEquals: { 'x:n': 10 } }, { 'x:n': '11' }, false],
  ['NumericNotEquals', { NumericNotEquals: { 'x:n': '10' } }, { 'x:n': '11' }, true],
  ['NumericNotEquals, equal', { NumericNotEquals: { 'x:n': '10' } }, { 'x:n': '10' }, false],
  [
    'NumericLessThan',
    { NumericLessThan: { 'aws:MultiFactorAuthAge': '900' } },
    { 'aws:MultiFactorAuthAge': '300' },
    true,
  ],
  [
    'NumericLessThan, equal',
    { NumericLessThan: { 'aws:MultiFactorAuthAge': '900' } },
    { 'aws:MultiFactorAuthAge': '900' },
    false,
  ],
  [
    'NumericLessThanEquals, equal',
    { NumericLessThanEquals: { 'x:n': '900' } },
    { 'x:n': '900' },
    true,
  ],
  [
    'NumericLessThanEquals, above',
    { NumericLessThanEquals: { 'x:n': '900' } },
    { 'x:n': '901' },
    false,
  ],
  ['NumericGreaterThan', { NumericGreaterThan: { 'x:n': '10' } }, { 'x:n': '10.5' }, true],
  ['NumericGreaterThan, equal', { NumericGreaterThan: { 'x:n': '10' } }, { 'x:n': '10' }, false],
  [
    'NumericGreaterThanEquals, equal',
    { NumericGreaterThanEquals: { 'x:n': '10' } },
    { 'x:n': '10' },
    true,
  ],
  [
    'NumericGreaterThanEquals, below',
    { NumericGreaterThanEquals: { 'x:n': '10' } },
    { 'x:n': '9' },
    false,
  ],
  [
    'Numeric, request value not a number',
    { NumericLessThan: { 'x:n': '10' } },
    { 'x:n': 'five' },
    false,
  ],
  [
    'DateLessThan',
    { DateLessThan: { [TIME]: '2030-01-01T00:00:00Z' } },
    { [TIME]: '2024-06-01T12:00:00Z' },
    true,
  ],
  [
    'DateLessThan, later',
    { DateLessThan: { [TIME]: '2030-01-01T00:00:00Z' } },
    { [TIME]: '2031-01-01T00:00:00Z' },
    false,
  ],
  [
    'DateLessThanEquals, same instant',
    { DateLessThanEquals: { [TIME]: '2030-01-01T00:00:00Z' } },
    { [TIME]: '2030-01-01T01:00:00+01:00' },
    true,
  ],
  [
    'DateGreaterThan, epoch seconds',
    { DateGreaterThan: { 'aws:EpochTime': '1700000000' } },
    { 'aws:EpochTime': '1700000001' },
    true,
  ],
  [
    'DateGreaterThan, epoch seconds, earlier',
    { DateGreaterThan: { 'aws:EpochTime': 1700000000 } },
    { 'aws:EpochTime': '1699999999' },
    false,
  ],
  [
    'DateGreaterThanEquals, equal',
    { DateGreaterThanEquals: { [TIME]: '2024-01-01' } },
    { [TIME]: '2024-01-01T00:00:00Z' },
    true,
  ],
  [
    'DateEquals across formats',
    { DateEquals: { [TIME]: '2024-01-01T00:00:00Z' } },
    { [TIME]: '1704067200' },
    true,
  ],
  [
    'DateEquals, other day',
    { DateEquals: { [TIME]: '2024-01-01T00:00:00Z' } },
    { [TIME]: '2024-01-02T00:00:00Z' },
    false,
  ],
  [
    'DateNotEquals',
    { DateNotEquals: { [TIME]: '2024-01-01T00:00:00Z' } },
    { [TIME]: '2024-01-02T00:00:00Z' },
    true,
  ],
  [
    'DateNotEquals, equal',
    { DateNotEquals: { [TIME]: '2024-01-01T00:00:00Z' } },
    { [TIME]: '2024-01-01T00:00:00Z' },
    false,
  ],
  [
    'Bool false',
    { Bool: { 'aws:SecureTransport': 'false' } },
    { 'aws:SecureTransport': 'false' },
    true,
  ],
  [
    'Bool false, request true',
    { Bool: { 'aws:SecureTransport': 'false' } },
    { 'aws:SecureTransport': 'true' },
    false,
  ],
  ['Bool with a JSON boolean', { Bool: { [MFA]: true } }, { [MFA]: 'true' }, true],
  [
    'BinaryEquals',
    { BinaryEquals: { 'x:b': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } },
    { 'x:b': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' },
    true,
  ],
  [
    'BinaryEquals, other bytes',
    { BinaryEquals: { 'x:b': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } },
    { 'x:b': 'b3RoZXI=' },
    false,
  ],
  ['IpAddress IPv4', { IpAddress: { [IP]: '203.0.113.0/24' } }, { [IP]: '203.0.113.77' }, true],
  [
    'IpAddress IPv4, outside',
    { IpAddress: { [IP]: '203.0.113.0/24' } },
    { [IP]: '198.51.100.1' },
    false,
  ],
  [
    'IpAddress IPv6',
    { IpAddress: { [IP]: ['203.0.113.0/24', '2001:DB8:1234:5678::/64'] } },
    { [IP]: '2001:db8:1234:5678::9' },
    true,
  ],
  [
    'NotIpAddress, outside',
    { NotIpAddress: { [IP]: '10.0.0.0/8' } },
    { [IP]: '192.168.1.1' },
    true,
  ],
  ['NotIpAddress, inside', { NotIpAddress: { [IP]: '10.0.0.0/8' } }, { [IP]: '10.1.2.3' }, false],
  [
    'ArnLike',
    { ArnLike: { [PRINCIPAL]: 'arn:aws:iam::123456789012:role/deploy-*' } },
    { [PRINCIPAL]: ROLE },
    true,
  ],
  [
    'ArnLike, other role',
    { ArnLike: { [PRINCIPAL]: 'arn:aws:iam::123456789012:role/deploy-*' } },
    { [PRINCIPAL]: 'arn:aws:iam::123456789012:role/admin' },
    false,
  ],
  [
    'ArnEquals behaves as ArnLike',
    { ArnEquals: { [PRINCIPAL]: 'arn:aws:iam::*:role/deploy-prod' } },
    { [PRINCIPAL]: ROLE },
    true,
  ],
  [
    'ArnEquals, request value not an ARN',
    { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:*:*:t' } },
    { 'aws:SourceArn': 't' },
    false,
  ],
  [
    'ArnNotEquals, other ARN',
    { ArnNotEquals: { [PRINCIPAL]: ROLE } },
    { [PRINCIPAL]: 'arn:aws:iam::123456789012:role/x' },
    true,
  ],
  ['ArnNotEquals, same ARN', { ArnNotEquals: { [PRINCIPAL]: ROLE } }, { [PRINCIPAL]: ROLE }, false],
  [
    'ArnNotLike, match',
    { ArnNotLike: { [PRINCIPAL]: 'arn:aws:iam::*:role/deploy-*' } },
    { [PRINCIPAL]: ROLE },
    false,
  ],
];

describe('condition operators', () => {
  it.each(CASES)('%s', (_name, block, keys, expected) => {
    expect(holds(block, keys)).toBe(expected);
  });
});
