import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LockstepError } from '../../errors/lockstep-error.js';
import { parseQueryRequest } from './parse-query-request.js';
import { queryErrorCode } from './query-error-code.js';
import { QueryModel } from './query-model.js';

const iam = QueryModel.bundled('iam/2010-05-08');
const sts = QueryModel.bundled('sts/2011-06-15');
const example = QueryModel.fromJson(
  JSON.parse(readFileSync(new URL('./query-test-model.json', import.meta.url), 'utf8')),
);

const body = (text: string) => Buffer.from(text, 'utf8');

/** The error parseQueryRequest throws, with its Query wire code and status. */
function failure(text: string, model = iam) {
  try {
    parseQueryRequest(body(text), model);
  } catch (error) {
    if (!(error instanceof LockstepError)) throw error;
    return { message: error.message, ...queryErrorCode(error, model) };
  }
  throw new Error('expected the request to be refused');
}

describe('parseQueryRequest', () => {
  it('decodes nested lists of structures, escapes and the operation name', () => {
    const parsed = parseQueryRequest(
      body(
        'Action=CreateUser&Version=2010-05-08&UserName=bob&Tags.member.1.Key=team' +
          '&Tags.member.1.Value=build&Tags.member.2.Key=x&Tags.member.2.Value=a+b%2Bc',
      ),
      iam,
    );
    expect(parsed).toEqual({
      operation: 'CreateUser',
      version: '2010-05-08',
      input: {
        UserName: 'bob',
        Tags: [
          { Key: 'team', Value: 'build' },
          { Key: 'x', Value: 'a b+c' },
        ],
      },
    });
  });

  it('converts integers and booleans by shape and drops unmodelled parameters', () => {
    const parsed = parseQueryRequest(
      body('Action=ListPolicies&Version=2010-05-08&MaxItems=5&OnlyAttached=true&Bogus=1'),
      iam,
    );
    expect(parsed.input).toEqual({ MaxItems: 5, OnlyAttached: true });
  });

  it('decodes locationName, flattened and named lists, maps and timestamps', () => {
    const parsed = parseQueryRequest(
      body(
        'Action=Put&Version=2020-01-01&TheName=n&When=2024-01-02T03%3A04%3A05Z&Ratio=1.5' +
          '&Flat.1=c&Flat.2=d&Item.1=e&Wrapped.Item.1=f&Plain=&Attrs.entry.1.key=k' +
          '&Attrs.entry.1.value=v&FlatAttrs.1.Name=x&FlatAttrs.1.Value=7&Nested.Key=K' +
          '&Items.member.1.Size=2',
      ),
      example,
    );
    expect(parsed.input).toEqual({
      Name: 'n',
      When: Date.parse('2024-01-02T03:04:05Z') / 1000,
      Ratio: 1.5,
      Plain: [],
      Flat: ['c', 'd'],
      Named: ['e'],
      Wrapped: ['f'],
      Attrs: { k: 'v' },
      FlatAttrs: { x: 7 },
      Nested: { Key: 'K' },
      Items: [{ Size: 2 }],
    });
  });

  it('names members as IAM does in validation messages (lower camel case)', () => {
    expect(failure('Action=GetUser&Version=2010-05-08&UserName=bob%21')).toEqual({
      code: 'ValidationError',
      status: 400,
      senderFault: true,
      message:
        "1 validation error detected: Value 'bob!' at 'userName' failed to satisfy constraint: " +
        'Member must satisfy regular expression pattern: [\\w+=,.@-]+',
    });
    expect(failure('Action=CreateUser&Version=2010-05-08&Tags.member.1.Key=k').message).toBe(
      '2 validation errors detected: ' +
        "Value null at 'userName' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null",
    );
    expect(failure('Action=ListUsers&Version=2010-05-08&MaxItems=0').message).toBe(
      "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: " +
        'Member must have value greater than or equal to 1',
    );
  });

  it('refuses a value of the wrong type as a ValidationError naming the member', () => {
    expect(failure('Action=ListUsers&Version=2010-05-08&MaxItems=abc')).toMatchObject({
      code: 'ValidationError',
      status: 400,
      message: "Value 'abc' at 'maxItems' is not a valid integer",
    });
  });

  it('answers an unknown action or version with InvalidAction in AWS words', () => {
    expect(failure('Action=GetUsers&Version=2010-05-08')).toEqual({
      code: 'InvalidAction',
      status: 400,
      senderFault: true,
      message: 'Could not find operation GetUsers for version 2010-05-08',
    });
    expect(failure('Action=GetUser&Version=2011-06-15').message).toBe(
      'Could not find operation GetUser for version 2011-06-15',
    );
    expect(failure('Action=GetCallerIdentity', sts).message).toBe(
      'Could not find operation GetCallerIdentity for version NO_VERSION_SPECIFIED',
    );
    expect(failure('Version=2010-05-08').code).toBe('MissingAction');
  });
});
