import { describe, expect, it } from 'vitest';
import { LockstepError } from '../../errors/lockstep-error.js';
import { compiledPolicyOf } from './compile-policy.js';
import { parsePolicyDocument } from './parse-policy-document.js';
import type { PolicyKind } from './policy-document.js';
import { PolicyDocumentError } from './policy-document.js';

const ALLOW = { Effect: 'Allow', Action: 'codepipeline:GetPipeline', Resource: '*' };

function doc(
  statement: unknown,
  extra: Record<string, unknown> = { Version: '2012-10-17' },
): string {
  return JSON.stringify({ ...extra, Statement: statement });
}

describe('parsePolicyDocument accepts what IAM accepts', () => {
  it('a single statement object in place of an array', () => {
    const policy = parsePolicyDocument(doc(ALLOW));
    expect(compiledPolicyOf(policy).statements).toHaveLength(1);
  });

  it('strings or arrays for Action, Resource and condition values', () => {
    const statement = {
      Effect: 'Deny',
      Action: ['codepipeline:Delete*', 'codepipeline:UpdatePipeline'],
      Resource: ['arn:aws:codepipeline:us-east-1:123456789012:prod-*'],
      Condition: {
        Bool: { 'aws:MultiFactorAuthPresent': false },
        NumericLessThan: { 'x:n': [1, '2'] },
      },
    };
    const policy = parsePolicyDocument(doc([statement, ALLOW]));
    expect(compiledPolicyOf(policy).statements.map((s) => s.effect)).toEqual(['Deny', 'Allow']);
  });

  it.each([
    [{}, '2008-10-17'],
    [{ Version: '2008-10-17' }, '2008-10-17'],
    [{ Version: '2012-10-17', Id: 'policy-1' }, '2012-10-17'],
  ])('Version from %j: %s', (extra, version) => {
    expect(compiledPolicyOf(parsePolicyDocument(doc(ALLOW, extra))).version).toBe(version);
  });

  it('returns a frozen document, so its cached compiled form cannot go stale', () => {
    const policy = parsePolicyDocument(doc([ALLOW]));
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.Statement)).toBe(true);
  });

  it('resource policies with Principal and NotPrincipal', () => {
    const statements = [
      { ...ALLOW, Principal: { AWS: ['123456789012', 'arn:aws:iam::123456789012:role/r'] } },
      { ...ALLOW, Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::123456789012:root' } },
      { ...ALLOW, Principal: '*' },
      { ...ALLOW, Principal: { Service: 'codebuild.amazonaws.com' } },
    ];
    expect(() => parsePolicyDocument(doc(statements), { kind: 'resource' })).not.toThrow();
  });
});

// [name, document JSON, kind, message fragment, path]
const MALFORMED: [string, string, PolicyKind | undefined, string, string][] = [
  ['invalid JSON', '{"Statement": [', undefined, 'Syntax errors in policy.', ''],
  ['not an object', '[]', undefined, 'The policy must be a JSON object.', ''],
  [
    'unknown top-level field',
    JSON.stringify({ Statement: [ALLOW], Statements: [] }),
    undefined,
    'Unknown field Statements.',
    'Statements',
  ],
  [
    'no Statement',
    JSON.stringify({ Version: '2012-10-17' }),
    undefined,
    'Missing required field Statement.',
    '',
  ],
  [
    'unknown Version',
    doc(ALLOW, { Version: '2012-10-18' }),
    undefined,
    'Version "2012-10-18" is not 2012-10-17 or 2008-10-17.',
    'Version',
  ],
  [
    'a statement that is not an object',
    doc(['x']),
    undefined,
    'A statement must be a JSON object.',
    'Statement[0]',
  ],
  [
    'unknown statement field',
    doc({ ...ALLOW, Actions: 'x:y' }),
    undefined,
    'Unknown field Actions.',
    'Statement[0]',
  ],
  [
    'no Effect',
    doc({ Action: '*', Resource: '*' }),
    undefined,
    'Missing required field Effect.',
    'Statement[0]',
  ],
  [
    'Effect in the wrong case',
    doc({ ...ALLOW, Effect: 'allow' }),
    undefined,
    'Invalid effect: "allow".',
    'Statement[0]',
  ],
  [
    'no Action',
    doc({ Effect: 'Allow', Resource: '*' }),
    undefined,
    'Policy statement must contain actions.',
    'Statement[0]',
  ],
  [
    'empty Action list',
    doc({ ...ALLOW, Action: [] }),
    undefined,
    'Policy statement must contain actions.',
    'Statement[0].Action',
  ],
  [
    'Action and NotAction',
    doc({ ...ALLOW, NotAction: 'iam:*' }),
    undefined,
    'Use Action or NotAction, not both.',
    'Statement[0]',
  ],
  [
    'no Resource',
    doc({ Effect: 'Allow', Action: '*' }),
    undefined,
    'Policy statement must contain resources.',
    'Statement[0]',
  ],
  [
    'Resource and NotResource',
    doc({ ...ALLOW, NotResource: '*' }),
    undefined,
    'Use Resource or NotResource, not both.',
    'Statement[0]',
  ],
  [
    'action without a vendor',
    doc({ ...ALLOW, Action: 'GetPipeline' }),
    undefined,
    'Actions/Conditions must be prefaced by a vendor',
    'Statement[0].Action',
  ],
  [
    'action with two colons',
    doc({ ...ALLOW, Action: 'codepipeline:Get:Pipeline' }),
    undefined,
    'Actions/Condition can contain only one colon.',
    'Statement[0].Action',
  ],
  [
    'action of the wrong type',
    doc({ ...ALLOW, Action: 42 }),
    undefined,
    'Expected a non-empty string or an array of them.',
    'Statement[0].Action',
  ],
  [
    'resource that is not an ARN',
    doc({ ...ALLOW, Resource: 'my-pipeline' }),
    undefined,
    'Resource my-pipeline must be in ARN format or "*".',
    'Statement[0].Resource',
  ],
  [
    'Principal in an identity policy',
    doc({ ...ALLOW, Principal: '*' }),
    'identity',
    'Policy document should not specify a principal.',
    'Statement[0]',
  ],
  [
    'no Principal in a resource policy',
    doc(ALLOW),
    'resource',
    'Missing required field Principal.',
    'Statement[0]',
  ],
  [
    'NotPrincipal with Allow',
    doc({ ...ALLOW, NotPrincipal: { AWS: '123456789012' } }),
    undefined,
    'NotPrincipal must be used with "Effect": "Deny".',
    'Statement[0]',
  ],
  [
    'Principal and NotPrincipal',
    doc({ ...ALLOW, Effect: 'Deny', Principal: '*', NotPrincipal: '*' }),
    undefined,
    'Use Principal or NotPrincipal, not both.',
    'Statement[0]',
  ],
  [
    'wildcard in a principal ARN',
    doc({ ...ALLOW, Principal: { AWS: 'arn:aws:iam::123456789012:user/*' } }),
    undefined,
    'Invalid principal in policy',
    'Statement[0].Principal.AWS',
  ],
  [
    'unknown principal type',
    doc({ ...ALLOW, Principal: { User: 'alice' } }),
    undefined,
    'Invalid principal in policy: unknown principal type User.',
    'Statement[0].Principal',
  ],
  [
    'Sid with a space in an identity policy',
    doc({ ...ALLOW, Sid: 'my sid' }),
    'identity',
    'Statement IDs (SID) must be alpha-numeric.',
    'Statement[0].Sid',
  ],
  [
    'duplicate Sids in an identity policy',
    doc([
      { ...ALLOW, Sid: 'A' },
      { ...ALLOW, Sid: 'A' },
    ]),
    'identity',
    'Statement IDs (SID) in a single policy must be unique.',
    'Statement[1].Sid',
  ],
  [
    'unknown condition operator',
    doc({ ...ALLOW, Condition: { StringEqualz: { 'aws:username': 'a' } } }),
    undefined,
    'Invalid Condition type : StringEqualz.',
    'Statement[0].Condition.StringEqualz',
  ],
  [
    'Condition that is not an object',
    doc({ ...ALLOW, Condition: [] }),
    undefined,
    'Condition must be a JSON object.',
    'Statement[0].Condition',
  ],
];

describe('parsePolicyDocument refuses malformed documents', () => {
  it.each(MALFORMED)('%s', (_name, json, kind, message, path) => {
    let thrown: unknown;
    try {
      parsePolicyDocument(json, kind === undefined ? {} : { kind });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PolicyDocumentError);
    expect(thrown).toBeInstanceOf(LockstepError);
    expect(thrown).toMatchObject({ code: 'MalformedPolicyDocument', path });
    expect((thrown as Error).message).toContain(message);
  });

  it('accepts a Sid with a space where no kind is given (S3-style resource policies allow it)', () => {
    expect(() => parsePolicyDocument(doc({ ...ALLOW, Sid: 'Allow reads' }))).not.toThrow();
  });
});
