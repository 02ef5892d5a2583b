import { describe, expect, it } from 'vitest';
import { compileConditionBlock } from './compile-condition.js';
import { PolicyDocumentError } from './policy-document.js';

const MFA = 'aws:MultiFactorAuthPresent';
const TAG = 'aws:RequestTag/team';
const TIME = 'aws:CurrentTime';
const IP = 'aws:SourceIp';

describe('malformed conditions', () => {
  it.each([
    [
      'unknown operator',
      { StringEqualz: { [TAG]: 'a' } },
      'Invalid Condition type : StringEqualz.',
    ],
    [
      'Null takes no IfExists',
      { NullIfExists: { [TAG]: 'true' } },
      'Invalid Condition type : NullIfExists.',
    ],
    [
      'Null takes no set operator',
      { 'ForAllValues:Null': { [TAG]: 'true' } },
      'Invalid Condition type',
    ],
    [
      'unknown set operator',
      { 'ForSomeValues:StringEquals': { [TAG]: 'a' } },
      'Invalid Condition type',
    ],
    ['numeric value', { NumericLessThan: { 'x:n': 'ten' } }, 'Invalid Numeric value "ten".'],
    [
      'no policy variables with Numeric',
      { NumericLessThan: { 'x:n': '${aws:username}' } },
      'Invalid Numeric value',
    ],
    ['date value', { DateLessThan: { [TIME]: 'tomorrow' } }, 'Invalid Date value "tomorrow".'],
    [
      'CIDR',
      { IpAddress: { [IP]: '10.0.0.0/33' } },
      'Invalid IP address or CIDR block 10.0.0.0/33.',
    ],
    ['Bool value', { Bool: { [MFA]: 'yes' } }, 'Invalid Bool value "yes"'],
    ['Null value', { Null: { [TAG]: 'maybe' } }, 'Invalid Null value "maybe"'],
    ['binary value', { BinaryEquals: { 'x:b': 'not base64!' } }, 'is not base-64'],
    [
      'key without a vendor',
      { StringEquals: { SourceIp: 'a' } },
      'Actions/Conditions must be prefaced by a vendor',
    ],
    ['no values', { StringEquals: { [TAG]: [] } }, 'needs at least one value'],
    [
      'value of the wrong type',
      { StringEquals: { [TAG]: { a: 1 } } },
      'must be strings, numbers or booleans',
    ],
    ['operator without keys', { StringEquals: {} }, 'needs an object of condition keys'],
  ])('refuses %s', (_name, block, message) => {
    const compile = () => compileConditionBlock(block, 'Statement[0].Condition', true);
    expect(compile).toThrow(PolicyDocumentError);
    expect(compile).toThrow(message);
  });

  it('says where the problem is', () => {
    expect(() =>
      compileConditionBlock({ Bool: { [MFA]: 'yes' } }, 'Statement[2].Condition', true),
    ).toThrow(
      expect.objectContaining({
        code: 'MalformedPolicyDocument',
        path: `Statement[2].Condition.Bool.${MFA}`,
      }),
    );
  });
});
