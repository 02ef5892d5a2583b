import { describe, expect, it } from 'vitest';
import type { EvaluationInput } from '../iam/policy/evaluate-policies.js';
import { parsePolicyDocument } from '../iam/policy/parse-policy-document.js';
import type { Statement } from '../iam/policy/policy-document.js';
import { decideKeyAccess, keepsPolicyManageable } from './key-access.js';
import { defaultKeyPolicy, managedKeyPolicy } from './key-policy.js';

const scope = { accountId: '123456789012', region: 'us-east-1' };
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const DEV = 'arn:aws:iam::123456789012:user/dev';
const ROLE = 'arn:aws:iam::123456789012:role/deployer';
const SESSION = 'arn:aws:sts::123456789012:assumed-role/deployer/build';

const identity = (statement: Partial<Statement>) =>
  parsePolicyDocument(
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*', ...statement }],
    }),
    { kind: 'identity' },
  );
const keyPolicy = (...statements: Statement[]) =>
  parsePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: statements }), {
    kind: 'resource',
  });

function caller(action: string, over: Partial<EvaluationInput> = {}): EvaluationInput {
  return {
    identityPolicies: [],
    context: { principalArn: DEV, action, resource: KEY, conditionKeys: {} },
    ...over,
  };
}

describe('decideKeyAccess', () => {
  const byDefault = parsePolicyDocument(defaultKeyPolicy(scope), { kind: 'resource' });

  it('delegates to IAM under the default key policy: an identity allow is needed', () => {
    expect(decideKeyAccess(caller('kms:Decrypt'), byDefault)).toEqual({
      decision: 'ImplicitDeny',
      reason: 'because no identity-based policy allows the kms:Decrypt action',
    });
    const allowed = caller('kms:Decrypt', { identityPolicies: [identity({})] });
    expect(decideKeyAccess(allowed, byDefault).decision).toBe('Allow');
  });

  it('refuses an IAM-allowed caller when the key policy leaves out the account', () => {
    const onlyAdmin = keyPolicy({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:user/key-admin' },
      Action: 'kms:*',
      Resource: '*',
    });
    const allowedByIam = caller('kms:Decrypt', { identityPolicies: [identity({})] });
    expect(decideKeyAccess(allowedByIam, onlyAdmin)).toEqual({
      decision: 'ImplicitDeny',
      reason: 'because no resource-based policy allows the kms:Decrypt action',
    });
  });

  it('allows a caller the key policy names, without any IAM policy', () => {
    const namesDev = keyPolicy({
      Effect: 'Allow',
      Principal: { AWS: DEV },
      Action: ['kms:Encrypt', 'kms:Decrypt'],
      Resource: '*',
    });
    expect(decideKeyAccess(caller('kms:Decrypt'), namesDev).decision).toBe('Allow');
    expect(decideKeyAccess(caller('kms:ScheduleKeyDeletion'), namesDev).decision).toBe(
      'ImplicitDeny',
    );
  });

  it('lets an explicit deny in the key policy win over every allow', () => {
    const denies = keyPolicy(
      { Effect: 'Allow', Principal: { AWS: scope.accountId }, Action: 'kms:*', Resource: '*' },
      { Effect: 'Deny', Principal: { AWS: DEV }, Action: 'kms:Decrypt', Resource: '*' },
    );
    const allowed = caller('kms:Decrypt', { identityPolicies: [identity({})] });
    expect(decideKeyAccess(allowed, denies)).toEqual({
      decision: 'ExplicitDeny',
      reason: 'with an explicit deny in a resource-based policy',
    });
  });

  it('limits a key-policy grant to a role by the session policies of its sessions', () => {
    const namesRole = keyPolicy({
      Effect: 'Allow',
      Principal: { AWS: ROLE },
      Action: 'kms:Decrypt',
      Resource: '*',
    });
    const session = (sessionPolicies: EvaluationInput['sessionPolicies']) =>
      caller('kms:Decrypt', {
        context: {
          principalArn: SESSION,
          principalRoleArn: ROLE,
          action: 'kms:Decrypt',
          resource: KEY,
          conditionKeys: {},
        },
        ...(sessionPolicies ? { sessionPolicies } : {}),
      });
    expect(decideKeyAccess(session(undefined), namesRole).decision).toBe('Allow');
    const onlyEncrypt = [identity({ Action: 'kms:Encrypt' })];
    expect(decideKeyAccess(session(onlyEncrypt), namesRole).decision).toBe('ImplicitDeny');
  });

  it('lets nobody use an AWS managed key directly, only through its service', () => {
    const managed = parsePolicyDocument(managedKeyPolicy(scope, 'secretsmanager'), {
      kind: 'resource',
    });
    const everything = { identityPolicies: [identity({ Action: '*' })] };
    expect(decideKeyAccess(caller('kms:Decrypt', everything), managed).decision).toBe(
      'ImplicitDeny',
    );
    expect(decideKeyAccess(caller('kms:DescribeKey', everything), managed).decision).toBe('Allow');
    expect(decideKeyAccess(caller('kms:PutKeyPolicy', everything), managed).decision).toBe(
      'ImplicitDeny',
    );
    const viaService = caller('kms:Decrypt', everything);
    viaService.context.conditionKeys['kms:ViaService'] = 'secretsmanager.us-east-1.amazonaws.com';
    expect(decideKeyAccess(viaService, managed).decision).toBe('Allow');
  });
});

describe('keepsPolicyManageable', () => {
  it('accepts a policy that leaves the caller or its account able to put the policy', () => {
    const byDefault = parsePolicyDocument(defaultKeyPolicy(scope), { kind: 'resource' });
    expect(keepsPolicyManageable(byDefault, { principalArn: DEV }, KEY)).toBe(true);
  });

  it('refuses a policy that would lock the caller out', () => {
    const useOnly = keyPolicy({
      Effect: 'Allow',
      Principal: { AWS: DEV },
      Action: ['kms:Encrypt', 'kms:Decrypt'],
      Resource: '*',
    });
    expect(keepsPolicyManageable(useOnly, { principalArn: DEV }, KEY)).toBe(false);
  });
});
