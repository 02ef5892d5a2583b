/**
 * IAM's operation table (Query protocol, `Version=2010-05-08`): users, groups, access keys,
 * roles, managed and inline policies, virtual MFA devices. Each names its IAM action and resource
 * as IAM does (`iam:CreateUser` on `arn:aws:iam::<account>:user/<name>`).
 */
import type { IamPrincipalType } from '../store/iam-store.js';
import type { CreateRoleInput } from '../iam/iam-role-service.js';
import { MfaService, type MfaDependencies } from '../iam/mfa/mfa-service.js';
import type { Principal } from '../iam/principal.js';
import { ValidationException } from '../errors/lockstep-error.js';
import { defineOperation, rawString, type Operation } from './operation.js';
import { QueryModel } from './query/query-model.js';
import type { QueryService } from './query/query-protocol.js';
import type { ServerServices } from './server-services.js';

type Raw = Record<string, unknown>;

function arnOf(kind: 'user' | 'group' | 'role', member: string) {
  return (raw: Raw, services: ServerServices): string => {
    const name = rawString(raw, member);
    return name === undefined ? '*' : `arn:aws:iam::${services.scope.accountId}:${kind}/${name}`;
  };
}

const user = arnOf('user', 'UserName');
const group = arnOf('group', 'GroupName');
const role = arnOf('role', 'RoleName');
const policy = (raw: Raw) => rawString(raw, 'PolicyArn') ?? '*';

/** One IAM operation, with `read` marking the ones CloudTrail records as read-only. */
function op<I>(
  name: string,
  resourceArn: (raw: Raw, services: ServerServices) => string,
  handle: (input: I, services: ServerServices) => Promise<unknown>,
  read = false,
): Operation {
  return defineOperation<I>({
    name,
    iamAction: `iam:${name}`,
    readOnly: read,
    resourceArn,
    handle: (input, { services }) => handle(input, services),
  });
}

type UserInput = { UserName: string };
type KeyInput = UserInput & { AccessKeyId: string };

/** Inline-policy and attachment operations for one kind of principal. */
function policyOperations(
  kind: IamPrincipalType,
  noun: 'User' | 'Group' | 'Role',
  arn: typeof user,
) {
  const nameOf = (input: Record<string, string>) => input[`${noun}Name`] ?? '';
  type PolicyInput = Record<string, string>;
  return [
    op<PolicyInput>(`Put${noun}Policy`, arn, (i, s) =>
      s.iamPolicies.putInline(kind, nameOf(i), i.PolicyName ?? '', i.PolicyDocument ?? ''),
    ),
    op<PolicyInput>(
      `Get${noun}Policy`,
      arn,
      (i, s) => s.iamPolicies.getInline(kind, nameOf(i), i.PolicyName ?? ''),
      true,
    ),
    op<PolicyInput>(
      `List${noun}Policies`,
      arn,
      (i, s) => s.iamPolicies.listInline(kind, nameOf(i)),
      true,
    ),
    op<PolicyInput>(`Delete${noun}Policy`, arn, (i, s) =>
      s.iamPolicies.deleteInline(kind, nameOf(i), i.PolicyName ?? ''),
    ),
    op<PolicyInput>(`Attach${noun}Policy`, arn, (i, s) =>
      s.iamPolicies.setAttached(kind, nameOf(i), i.PolicyArn ?? '', true),
    ),
    op<PolicyInput>(`Detach${noun}Policy`, arn, (i, s) =>
      s.iamPolicies.setAttached(kind, nameOf(i), i.PolicyArn ?? '', false),
    ),
    op<PolicyInput>(
      `ListAttached${noun}Policies`,
      arn,
      (i, s) => s.iamPolicies.listAttached(kind, nameOf(i)),
      true,
    ),
  ];
}

/** Every IAM operation Lockstep serves. */
export const iamOperations: readonly Operation[] = [
  op<{ UserName: string; Path?: string }>('CreateUser', user, (i, s) => s.iamUsers.createUser(i)),
  op<UserInput>('GetUser', user, (i, s) => s.iamUsers.getUser(i.UserName), true),
  op<Record<string, never>>(
    'ListUsers',
    () => '*',
    (_i, s) => s.iamUsers.listUsers(),
    true,
  ),
  op<UserInput>('DeleteUser', user, (i, s) => s.iamUsers.deleteUser(i.UserName)),
  op<UserInput>('CreateAccessKey', user, (i, s) => s.iamUsers.createAccessKey(i.UserName)),
  op<UserInput>('ListAccessKeys', user, (i, s) => s.iamUsers.listAccessKeys(i.UserName), true),
  op<KeyInput & { Status: 'Active' | 'Inactive' }>('UpdateAccessKey', user, (i, s) =>
    s.iamUsers.updateAccessKey(i.UserName, i.AccessKeyId, i.Status),
  ),
  op<KeyInput>('DeleteAccessKey', user, (i, s) =>
    s.iamUsers.deleteAccessKey(i.UserName, i.AccessKeyId),
  ),
  op<{ GroupName: string; Path?: string }>('CreateGroup', group, (i, s) =>
    s.iamUsers.createGroup(i),
  ),
  op<{ GroupName: string }>('GetGroup', group, (i, s) => s.iamUsers.getGroup(i.GroupName), true),
  op<{ GroupName: string; UserName: string }>('AddUserToGroup', group, (i, s) =>
    s.iamUsers.setMembership(i.GroupName, i.UserName, true),
  ),
  op<{ GroupName: string; UserName: string }>('RemoveUserFromGroup', group, (i, s) =>
    s.iamUsers.setMembership(i.GroupName, i.UserName, false),
  ),
  op<CreateRoleInput>('CreateRole', role, (i, s) => s.iamRoles.createRole(i)),
  op<{ RoleName: string }>('GetRole', role, (i, s) => s.iamRoles.getRole(i.RoleName), true),
  op<Record<string, never>>(
    'ListRoles',
    () => '*',
    (_i, s) => s.iamRoles.listRoles(),
    true,
  ),
  op<{ RoleName: string }>('DeleteRole', role, (i, s) => s.iamRoles.deleteRole(i.RoleName)),
  op<{ PolicyName: string; PolicyDocument: string; Path?: string; Description?: string }>(
    'CreatePolicy',
    (raw, s) => `arn:aws:iam::${s.scope.accountId}:policy/${rawString(raw, 'PolicyName') ?? '*'}`,
    (i, s) => s.iamPolicies.createPolicy(i),
  ),
  op<{ PolicyArn: string }>(
    'GetPolicy',
    policy,
    (i, s) => s.iamPolicies.getPolicy(i.PolicyArn),
    true,
  ),
  op<{ PolicyArn: string; VersionId: string }>(
    'GetPolicyVersion',
    policy,
    (i, s) => s.iamPolicies.getPolicyVersion(i.PolicyArn, i.VersionId),
    true,
  ),
  op<{ PolicyArn: string }>('DeletePolicy', policy, (i, s) =>
    s.iamPolicies.deletePolicy(i.PolicyArn),
  ),
  op<{ Scope?: string; OnlyAttached?: boolean; PathPrefix?: string }>(
    'ListPolicies',
    () => '*',
    (i, s) => s.iamPolicies.listPolicies(i),
    true,
  ),
  op<{ PolicyArn: string; PolicyDocument: string; SetAsDefault?: boolean }>(
    'CreatePolicyVersion',
    policy,
    (i, s) => s.iamPolicies.createPolicyVersion(i),
  ),
  op<{ PolicyArn: string }>(
    'ListPolicyVersions',
    policy,
    (i, s) => s.iamPolicies.listPolicyVersions(i.PolicyArn),
    true,
  ),
  op<{ PolicyArn: string; VersionId: string }>('SetDefaultPolicyVersion', policy, (i, s) =>
    s.iamPolicies.setDefaultPolicyVersion(i.PolicyArn, i.VersionId),
  ),
  op<{ PolicyArn: string; VersionId: string }>('DeletePolicyVersion', policy, (i, s) =>
    s.iamPolicies.deletePolicyVersion(i.PolicyArn, i.VersionId),
  ),
  ...policyOperations('user', 'User', user),
  ...policyOperations('group', 'Group', group),
  ...policyOperations('role', 'Role', role),
];

type SerialInput = { SerialNumber: string };
type EnableInput = SerialInput & {
  UserName: string;
  AuthenticationCode1: string;
  AuthenticationCode2: string;
};

/** The user an MFA call is about: the one named, else the calling user itself. */
function mfaUser(input: { UserName?: string }, principal: Principal): string {
  if (input.UserName !== undefined) return input.UserName;
  if (principal.userName === '') {
    throw new ValidationException('Must specify userName when calling with non-User credentials');
  }
  return principal.userName;
}

/** The virtual MFA device operations, over one MfaService. */
function mfaOperations(mfa: MfaService): Operation[] {
  const mfaArn = (raw: Raw, s: ServerServices) =>
    `arn:aws:iam::${s.scope.accountId}:mfa${rawString(raw, 'Path') ?? '/'}` +
    (rawString(raw, 'VirtualMFADeviceName') ?? '*');
  const serial = (raw: Raw) => rawString(raw, 'SerialNumber') ?? '*';
  const withoutCodes = (i: EnableInput) => ({ UserName: i.UserName, SerialNumber: i.SerialNumber });
  return [
    op<{ VirtualMFADeviceName: string; Path?: string }>('CreateVirtualMFADevice', mfaArn, (i) =>
      mfa.createVirtualMfaDevice(i),
    ),
    defineOperation<EnableInput>({
      name: 'EnableMFADevice',
      iamAction: 'iam:EnableMFADevice',
      readOnly: false,
      resourceArn: user,
      handle: (i) => mfa.enableMfaDevice(i),
      // One-time codes are spent once used, but a trail has no business keeping them.
      auditParameters: withoutCodes,
    }),
    defineOperation<SerialInput & { UserName?: string }>({
      name: 'DeactivateMFADevice',
      iamAction: 'iam:DeactivateMFADevice',
      readOnly: false,
      resourceArn: user,
      handle: (i, { principal }) => mfa.deactivateMfaDevice(mfaUser(i, principal), i.SerialNumber),
    }),
    defineOperation<{ UserName?: string }>({
      name: 'ListMFADevices',
      iamAction: 'iam:ListMFADevices',
      readOnly: true,
      resourceArn: user,
      handle: (i, { principal }) => mfa.listMfaDevices(mfaUser(i, principal)),
    }),
    op<{ AssignmentStatus?: 'Assigned' | 'Unassigned' | 'Any' }>(
      'ListVirtualMFADevices',
      () => '*',
      (i) => mfa.listVirtualMfaDevices(i.AssignmentStatus),
      true,
    ),
    op<SerialInput>('DeleteVirtualMFADevice', serial, (i) =>
      mfa.deleteVirtualMfaDevice(i.SerialNumber),
    ),
  ];
}

/** IAM over the Query protocol, as the AWS CLI and SDKs call it; MFA needs the store and key. */
export function iamQueryService(mfa: MfaDependencies): QueryService {
  const model = QueryModel.bundled('iam/2010-05-08');
  const operations = [...iamOperations, ...mfaOperations(new MfaService(mfa))];
  for (const operation of operations) {
    // A table entry without a modelled operation is a programming error; fail at start.
    if (!model.service.hasOperation(operation.name))
      throw new Error(`IAM has no operation ${operation.name}`);
  }
  return {
    signingName: 'iam',
    eventSource: 'iam.amazonaws.com',
    model,
    operations: new Map(operations.map((o) => [o.name, o])),
  };
}
