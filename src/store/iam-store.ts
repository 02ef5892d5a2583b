/**
 * IAM entities as the store keeps them. Policy documents are stored as the JSON text the
 * caller sent (IAM returns them URL-encoded, exactly as given).
 */

export type IamPrincipalType = 'user' | 'group' | 'role';

export interface IamUserRecord {
  userName: string;
  userId: string;
  arn: string;
  path: string;
  permissionsBoundaryArn: string | null;
  createdMs: number;
}

export interface IamGroupRecord {
  groupName: string;
  groupId: string;
  arn: string;
  path: string;
  createdMs: number;
}

export interface IamRoleRecord {
  roleName: string;
  roleId: string;
  arn: string;
  path: string;
  assumeRolePolicy: string;
  description: string | null;
  maxSessionSeconds: number;
  permissionsBoundaryArn: string | null;
  createdMs: number;
}

export interface IamPolicyRecord {
  arn: string;
  policyName: string;
  policyId: string;
  path: string;
  description: string | null;
  defaultVersionId: string;
  createdMs: number;
  updatedMs: number;
}

export interface IamPolicyVersionRecord {
  policyArn: string;
  versionId: string;
  document: string;
  createdMs: number;
}

export interface IamInlinePolicyRecord {
  principalType: IamPrincipalType;
  principalName: string;
  policyName: string;
  document: string;
}

/** Thrown when a name or ARN is already taken, for the service to render EntityAlreadyExists. */
export class IamEntityExistsError extends Error {}

export interface IamStore {
  createUser(user: IamUserRecord): Promise<void>;
  getUser(userName: string): Promise<IamUserRecord | undefined>;
  listUsers(): Promise<IamUserRecord[]>;
  deleteUser(userName: string): Promise<boolean>;

  createGroup(group: IamGroupRecord): Promise<void>;
  getGroup(groupName: string): Promise<IamGroupRecord | undefined>;
  listGroups(): Promise<IamGroupRecord[]>;
  deleteGroup(groupName: string): Promise<boolean>;
  addUserToGroup(groupName: string, userName: string): Promise<void>;
  removeUserFromGroup(groupName: string, userName: string): Promise<void>;
  groupsOfUser(userName: string): Promise<string[]>;
  usersOfGroup(groupName: string): Promise<string[]>;

  createRole(role: IamRoleRecord): Promise<void>;
  getRole(roleName: string): Promise<IamRoleRecord | undefined>;
  listRoles(): Promise<IamRoleRecord[]>;
  deleteRole(roleName: string): Promise<boolean>;

  createPolicy(policy: IamPolicyRecord, firstVersion: IamPolicyVersionRecord): Promise<void>;
  getPolicy(arn: string): Promise<IamPolicyRecord | undefined>;
  listPolicies(): Promise<IamPolicyRecord[]>;
  deletePolicy(arn: string): Promise<boolean>;
  getPolicyVersion(arn: string, versionId: string): Promise<IamPolicyVersionRecord | undefined>;
  /** Every version of a policy, oldest first. */
  listPolicyVersions(arn: string): Promise<IamPolicyVersionRecord[]>;
  /** Adds a version; made the default (in the same transaction) when `asDefault`. */
  addPolicyVersion(version: IamPolicyVersionRecord, asDefault: boolean): Promise<void>;
  setDefaultPolicyVersion(arn: string, versionId: string, updatedMs: number): Promise<void>;
  deletePolicyVersion(arn: string, versionId: string): Promise<boolean>;

  putInlinePolicy(policy: IamInlinePolicyRecord): Promise<void>;
  getInlinePolicy(
    principalType: IamPrincipalType,
    principalName: string,
    policyName: string,
  ): Promise<IamInlinePolicyRecord | undefined>;
  listInlinePolicies(
    principalType: IamPrincipalType,
    principalName: string,
  ): Promise<IamInlinePolicyRecord[]>;
  deleteInlinePolicy(
    principalType: IamPrincipalType,
    principalName: string,
    policyName: string,
  ): Promise<boolean>;

  attachPolicy(
    principalType: IamPrincipalType,
    principalName: string,
    policyArn: string,
  ): Promise<void>;
  detachPolicy(
    principalType: IamPrincipalType,
    principalName: string,
    policyArn: string,
  ): Promise<boolean>;
  attachedPolicies(principalType: IamPrincipalType, principalName: string): Promise<string[]>;
  attachmentCount(policyArn: string): Promise<number>;
}
