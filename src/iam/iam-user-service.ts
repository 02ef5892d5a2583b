/**
 * IAM users, groups and access keys, in IAM's output shapes. A user can be deleted only once
 * its keys, policies and group memberships are gone (DeleteConflict), as in IAM.
 */
import type { RootKey } from '../kms/root-key.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import type { IamGroupRecord, IamUserRecord } from '../store/iam-store.js';
import { IamEntityExistsError } from '../store/iam-store.js';
import type { StateStore } from '../store/state-store.js';
import { createAccessKey } from './access-keys.js';
import { DeleteConflict, EntityAlreadyExists, LimitExceeded, NoSuchEntity } from './iam-errors.js';
import { checkPath, iamArn, newIamId } from './iam-identifiers.js';
import { BOOTSTRAP_ADMIN_USER } from './principal.js';

/** IAM's quota of access keys per user. */
const MAX_KEYS_PER_USER = 2;

const userShape = (u: IamUserRecord) => ({
  Path: u.path,
  UserName: u.userName,
  UserId: u.userId,
  Arn: u.arn,
  CreateDate: new Date(u.createdMs),
});

const groupShape = (g: IamGroupRecord) => ({
  Path: g.path,
  GroupName: g.groupName,
  GroupId: g.groupId,
  Arn: g.arn,
  CreateDate: new Date(g.createdMs),
});

export class IamUserService {
  constructor(
    private readonly store: StateStore,
    private readonly rootKey: RootKey,
    private readonly scope: AccountScope,
  ) {}

  /** CreateUser. */
  async createUser(input: { UserName: string; Path?: string }) {
    if (input.UserName === BOOTSTRAP_ADMIN_USER) {
      // The bootstrap administrator owns this name and its ARN; a second user would share them.
      throw new EntityAlreadyExists(`User with name ${input.UserName} already exists.`);
    }
    const path = checkPath(input.Path);
    const record: IamUserRecord = {
      userName: input.UserName,
      userId: newIamId('user'),
      arn: iamArn(this.scope.accountId, 'user', path, input.UserName),
      path,
      permissionsBoundaryArn: null,
      createdMs: Date.now(),
    };
    await this.store.iam.createUser(record).catch((error: unknown) => {
      if (error instanceof IamEntityExistsError) {
        throw new EntityAlreadyExists(`User with name ${input.UserName} already exists.`);
      }
      throw error;
    });
    return { User: userShape(record) };
  }

  /** GetUser. */
  async getUser(userName: string) {
    return { User: userShape(await this.requireUser(userName)) };
  }

  /** ListUsers. */
  async listUsers() {
    return { Users: (await this.store.iam.listUsers()).map(userShape), IsTruncated: false };
  }

  /** DeleteUser, refused while the user still has keys, policies or groups. */
  async deleteUser(userName: string) {
    await this.requireUser(userName);
    const keys = await this.store.listAccessKeysOf(userName);
    const inline = await this.store.iam.listInlinePolicies('user', userName);
    const attached = await this.store.iam.attachedPolicies('user', userName);
    const groups = await this.store.iam.groupsOfUser(userName);
    // A device left assigned would pass to a later user of the same name.
    const devices = await this.store.mfa.listDevicesOfUser(userName);
    if (keys.length + inline.length + attached.length + groups.length + devices.length > 0) {
      throw new DeleteConflict(
        'Cannot delete entity, must delete access keys, policies, group memberships and MFA devices first.',
      );
    }
    await this.store.iam.deleteUser(userName);
    return {};
  }

  /** CreateAccessKey: the secret is in this answer only. */
  async createAccessKey(userName: string) {
    const user = await this.requireUser(userName);
    if ((await this.store.listAccessKeysOf(userName)).length >= MAX_KEYS_PER_USER) {
      throw new LimitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${MAX_KEYS_PER_USER}`);
    }
    const key = await createAccessKey(this.store, this.rootKey, {
      principalArn: user.arn,
      userName,
    });
    return {
      AccessKey: {
        UserName: userName,
        AccessKeyId: key.accessKeyId,
        Status: 'Active',
        SecretAccessKey: key.secretAccessKey,
        CreateDate: new Date(),
      },
    };
  }

  /** ListAccessKeys: metadata only, never a secret. */
  async listAccessKeys(userName: string) {
    await this.requireUser(userName);
    const keys = await this.store.listAccessKeysOf(userName);
    return {
      AccessKeyMetadata: keys.map((k) => ({
        UserName: userName,
        AccessKeyId: k.accessKeyId,
        Status: k.status,
        CreateDate: new Date(k.createdMs),
      })),
      IsTruncated: false,
    };
  }

  /** UpdateAccessKey: Active or Inactive; an inactive key signs nothing. */
  async updateAccessKey(userName: string, accessKeyId: string, status: 'Active' | 'Inactive') {
    const key = await this.requireKey(userName, accessKeyId);
    await this.store.putAccessKey({ ...key, status });
    return {};
  }

  /** DeleteAccessKey. */
  async deleteAccessKey(userName: string, accessKeyId: string) {
    await this.requireKey(userName, accessKeyId);
    await this.store.deleteAccessKey(accessKeyId);
    return {};
  }

  /** CreateGroup. */
  async createGroup(input: { GroupName: string; Path?: string }) {
    const path = checkPath(input.Path);
    const record: IamGroupRecord = {
      groupName: input.GroupName,
      groupId: newIamId('group'),
      arn: iamArn(this.scope.accountId, 'group', path, input.GroupName),
      path,
      createdMs: Date.now(),
    };
    await this.store.iam.createGroup(record).catch((error: unknown) => {
      if (error instanceof IamEntityExistsError) {
        throw new EntityAlreadyExists(`Group with name ${input.GroupName} already exists.`);
      }
      throw error;
    });
    return { Group: groupShape(record) };
  }

  /** GetGroup: the group and its users. */
  async getGroup(groupName: string) {
    const group = await this.requireGroup(groupName);
    const users = await Promise.all(
      (await this.store.iam.usersOfGroup(groupName)).map((u) => this.requireUser(u)),
    );
    return { Group: groupShape(group), Users: users.map(userShape), IsTruncated: false };
  }

  /** AddUserToGroup / RemoveUserFromGroup. */
  async setMembership(groupName: string, userName: string, member: boolean) {
    await this.requireGroup(groupName);
    await this.requireUser(userName);
    if (member) await this.store.iam.addUserToGroup(groupName, userName);
    else await this.store.iam.removeUserFromGroup(groupName, userName);
    return {};
  }

  /** The user, or NoSuchEntity in IAM's words. */
  async requireUser(userName: string): Promise<IamUserRecord> {
    const user = await this.store.iam.getUser(userName);
    if (!user) throw new NoSuchEntity(`The user with name ${userName} cannot be found.`);
    return user;
  }

  private async requireGroup(groupName: string): Promise<IamGroupRecord> {
    const group = await this.store.iam.getGroup(groupName);
    if (!group) throw new NoSuchEntity(`The group with name ${groupName} cannot be found.`);
    return group;
  }

  private async requireKey(userName: string, accessKeyId: string) {
    await this.requireUser(userName);
    const key = await this.store.getAccessKey(accessKeyId);
    if (!key || key.userName !== userName) {
      throw new NoSuchEntity(`The Access Key with id ${accessKeyId} cannot be found.`);
    }
    return key;
  }
}
