/**
 * IamStore over Kysely for both engines. Name conflicts are decided by primary keys (never a
 * read-then-insert check), and a deleted user, group or role takes its memberships, inline
 * policies and attachments with it in one transaction.
 */
import type { Kysely, Selectable } from 'kysely';
import type { IamTables } from './iam-schema.js';
import {
  IamEntityExistsError,
  type IamGroupRecord,
  type IamInlinePolicyRecord,
  type IamPolicyRecord,
  type IamPolicyVersionRecord,
  type IamPrincipalType,
  type IamRoleRecord,
  type IamStore,
  type IamUserRecord,
} from './iam-store.js';
import type { Database } from './schema.js';

type Row<T extends keyof IamTables> = Selectable<IamTables[T]>;

const user = (r: Row<'iam_users'>): IamUserRecord => ({
  userName: r.user_name,
  userId: r.user_id,
  arn: r.arn,
  path: r.path,
  permissionsBoundaryArn: r.permissions_boundary_arn,
  createdMs: r.created_ms,
});
const group = (r: Row<'iam_groups'>): IamGroupRecord => ({
  groupName: r.group_name,
  groupId: r.group_id,
  arn: r.arn,
  path: r.path,
  createdMs: r.created_ms,
});
const role = (r: Row<'iam_roles'>): IamRoleRecord => ({
  roleName: r.role_name,
  roleId: r.role_id,
  arn: r.arn,
  path: r.path,
  assumeRolePolicy: r.assume_role_policy,
  description: r.description,
  maxSessionSeconds: r.max_session_seconds,
  permissionsBoundaryArn: r.permissions_boundary_arn,
  createdMs: r.created_ms,
});
const policy = (r: Row<'iam_policies'>): IamPolicyRecord => ({
  arn: r.arn,
  policyName: r.policy_name,
  policyId: r.policy_id,
  path: r.path,
  description: r.description,
  defaultVersionId: r.default_version_id,
  createdMs: r.created_ms,
  updatedMs: r.updated_ms,
});
const inline = (r: Row<'iam_inline_policies'>): IamInlinePolicyRecord => ({
  principalType: r.principal_type as IamPrincipalType,
  principalName: r.principal_name,
  policyName: r.policy_name,
  document: r.document,
});

export class KyselyIamStore implements IamStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly isUniqueViolation: (error: unknown) => boolean,
  ) {}

  private async insert(run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (error) {
      if (this.isUniqueViolation(error)) throw new IamEntityExistsError();
      throw error;
    }
  }

  createUser(u: IamUserRecord) {
    return this.insert(() =>
      this.db
        .insertInto('iam_users')
        .values({
          user_name: u.userName,
          user_id: u.userId,
          arn: u.arn,
          path: u.path,
          permissions_boundary_arn: u.permissionsBoundaryArn,
          created_ms: u.createdMs,
        })
        .execute(),
    );
  }

  async getUser(userName: string) {
    const r = await this.db
      .selectFrom('iam_users')
      .selectAll()
      .where('user_name', '=', userName)
      .executeTakeFirst();
    return r && user(r);
  }

  async listUsers() {
    return (await this.db.selectFrom('iam_users').selectAll().orderBy('user_name').execute()).map(
      user,
    );
  }

  deleteUser(userName: string) {
    return this.deletePrincipal('user', userName, async (trx) => {
      await trx.deleteFrom('iam_group_members').where('user_name', '=', userName).execute();
      const r = await trx
        .deleteFrom('iam_users')
        .where('user_name', '=', userName)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }

  createGroup(g: IamGroupRecord) {
    return this.insert(() =>
      this.db
        .insertInto('iam_groups')
        .values({
          group_name: g.groupName,
          group_id: g.groupId,
          arn: g.arn,
          path: g.path,
          created_ms: g.createdMs,
        })
        .execute(),
    );
  }

  async getGroup(groupName: string) {
    const r = await this.db
      .selectFrom('iam_groups')
      .selectAll()
      .where('group_name', '=', groupName)
      .executeTakeFirst();
    return r && group(r);
  }

  async listGroups() {
    return (await this.db.selectFrom('iam_groups').selectAll().orderBy('group_name').execute()).map(
      group,
    );
  }

  deleteGroup(groupName: string) {
    return this.deletePrincipal('group', groupName, async (trx) => {
      await trx.deleteFrom('iam_group_members').where('group_name', '=', groupName).execute();
      const r = await trx
        .deleteFrom('iam_groups')
        .where('group_name', '=', groupName)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }

  async addUserToGroup(groupName: string, userName: string) {
    await this.db
      .insertInto('iam_group_members')
      .values({ group_name: groupName, user_name: userName })
      .onConflict((oc) => oc.columns(['group_name', 'user_name']).doNothing())
      .execute();
  }

  async removeUserFromGroup(groupName: string, userName: string) {
    await this.db
      .deleteFrom('iam_group_members')
      .where('group_name', '=', groupName)
      .where('user_name', '=', userName)
      .execute();
  }

  async groupsOfUser(userName: string) {
    const rows = await this.db
      .selectFrom('iam_group_members')
      .select('group_name')
      .where('user_name', '=', userName)
      .orderBy('group_name')
      .execute();
    return rows.map((r) => r.group_name);
  }

  async usersOfGroup(groupName: string) {
    const rows = await this.db
      .selectFrom('iam_group_members')
      .select('user_name')
      .where('group_name', '=', groupName)
      .orderBy('user_name')
      .execute();
    return rows.map((r) => r.user_name);
  }

  createRole(r: IamRoleRecord) {
    return this.insert(() =>
      this.db
        .insertInto('iam_roles')
        .values({
          role_name: r.roleName,
          role_id: r.roleId,
          arn: r.arn,
          path: r.path,
          assume_role_policy: r.assumeRolePolicy,
          description: r.description,
          max_session_seconds: r.maxSessionSeconds,
          permissions_boundary_arn: r.permissionsBoundaryArn,
          created_ms: r.createdMs,
        })
        .execute(),
    );
  }

  async getRole(roleName: string) {
    const r = await this.db
      .selectFrom('iam_roles')
      .selectAll()
      .where('role_name', '=', roleName)
      .executeTakeFirst();
    return r && role(r);
  }

  async listRoles() {
    return (await this.db.selectFrom('iam_roles').selectAll().orderBy('role_name').execute()).map(
      role,
    );
  }

  deleteRole(roleName: string) {
    return this.deletePrincipal('role', roleName, async (trx) => {
      const r = await trx
        .deleteFrom('iam_roles')
        .where('role_name', '=', roleName)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }

  createPolicy(p: IamPolicyRecord, v: IamPolicyVersionRecord) {
    return this.insert(() =>
      this.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('iam_policies')
          .values({
            arn: p.arn,
            policy_name: p.policyName,
            policy_id: p.policyId,
            path: p.path,
            description: p.description,
            default_version_id: p.defaultVersionId,
            created_ms: p.createdMs,
            updated_ms: p.updatedMs,
          })
          .execute();
        await trx
          .insertInto('iam_policy_versions')
          .values({
            policy_arn: v.policyArn,
            version_id: v.versionId,
            document: v.document,
            created_ms: v.createdMs,
          })
          .execute();
      }),
    );
  }

  async getPolicy(arn: string) {
    const r = await this.db
      .selectFrom('iam_policies')
      .selectAll()
      .where('arn', '=', arn)
      .executeTakeFirst();
    return r && policy(r);
  }

  async listPolicies() {
    return (await this.db.selectFrom('iam_policies').selectAll().orderBy('arn').execute()).map(
      policy,
    );
  }

  async deletePolicy(arn: string) {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('iam_policy_versions').where('policy_arn', '=', arn).execute();
      const r = await trx.deleteFrom('iam_policies').where('arn', '=', arn).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }

  async listPolicyVersions(arn: string) {
    const rows = await this.db
      .selectFrom('iam_policy_versions')
      .selectAll()
      .where('policy_arn', '=', arn)
      .orderBy('created_ms')
      .execute();
    return rows.map((r) => ({
      policyArn: r.policy_arn,
      versionId: r.version_id,
      document: r.document,
      createdMs: r.created_ms,
    }));
  }

  async addPolicyVersion(v: IamPolicyVersionRecord, asDefault: boolean) {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('iam_policy_versions')
        .values({
          policy_arn: v.policyArn,
          version_id: v.versionId,
          document: v.document,
          created_ms: v.createdMs,
        })
        .execute();
      if (asDefault) {
        await trx
          .updateTable('iam_policies')
          .set({ default_version_id: v.versionId, updated_ms: v.createdMs })
          .where('arn', '=', v.policyArn)
          .execute();
      }
    });
  }

  async setDefaultPolicyVersion(arn: string, versionId: string, updatedMs: number) {
    await this.db
      .updateTable('iam_policies')
      .set({ default_version_id: versionId, updated_ms: updatedMs })
      .where('arn', '=', arn)
      .execute();
  }

  async deletePolicyVersion(arn: string, versionId: string) {
    const r = await this.db
      .deleteFrom('iam_policy_versions')
      .where('policy_arn', '=', arn)
      .where('version_id', '=', versionId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async getPolicyVersion(arn: string, versionId: string) {
    const r = await this.db
      .selectFrom('iam_policy_versions')
      .selectAll()
      .where('policy_arn', '=', arn)
      .where('version_id', '=', versionId)
      .executeTakeFirst();
    return (
      r && {
        policyArn: r.policy_arn,
        versionId: r.version_id,
        document: r.document,
        createdMs: r.created_ms,
      }
    );
  }

  async putInlinePolicy(p: IamInlinePolicyRecord) {
    await this.db
      .insertInto('iam_inline_policies')
      .values({
        principal_type: p.principalType,
        principal_name: p.principalName,
        policy_name: p.policyName,
        document: p.document,
      })
      .onConflict((oc) =>
        oc
          .columns(['principal_type', 'principal_name', 'policy_name'])
          .doUpdateSet({ document: p.document }),
      )
      .execute();
  }

  async getInlinePolicy(
    principalType: IamPrincipalType,
    principalName: string,
    policyName: string,
  ) {
    const r = await this.db
      .selectFrom('iam_inline_policies')
      .selectAll()
      .where('principal_type', '=', principalType)
      .where('principal_name', '=', principalName)
      .where('policy_name', '=', policyName)
      .executeTakeFirst();
    return r && inline(r);
  }

  async listInlinePolicies(principalType: IamPrincipalType, principalName: string) {
    const rows = await this.db
      .selectFrom('iam_inline_policies')
      .selectAll()
      .where('principal_type', '=', principalType)
      .where('principal_name', '=', principalName)
      .orderBy('policy_name')
      .execute();
    return rows.map(inline);
  }

  async deleteInlinePolicy(
    principalType: IamPrincipalType,
    principalName: string,
    policyName: string,
  ) {
    const r = await this.db
      .deleteFrom('iam_inline_policies')
      .where('principal_type', '=', principalType)
      .where('principal_name', '=', principalName)
      .where('policy_name', '=', policyName)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async attachPolicy(principalType: IamPrincipalType, principalName: string, policyArn: string) {
    await this.db
      .insertInto('iam_attached_policies')
      .values({
        principal_type: principalType,
        principal_name: principalName,
        policy_arn: policyArn,
      })
      .onConflict((oc) =>
        oc.columns(['principal_type', 'principal_name', 'policy_arn']).doNothing(),
      )
      .execute();
  }

  async detachPolicy(principalType: IamPrincipalType, principalName: string, policyArn: string) {
    const r = await this.db
      .deleteFrom('iam_attached_policies')
      .where('principal_type', '=', principalType)
      .where('principal_name', '=', principalName)
      .where('policy_arn', '=', policyArn)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async attachedPolicies(principalType: IamPrincipalType, principalName: string) {
    const rows = await this.db
      .selectFrom('iam_attached_policies')
      .select('policy_arn')
      .where('principal_type', '=', principalType)
      .where('principal_name', '=', principalName)
      .orderBy('policy_arn')
      .execute();
    return rows.map((r) => r.policy_arn);
  }

  async attachmentCount(policyArn: string) {
    const r = await this.db
      .selectFrom('iam_attached_policies')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('policy_arn', '=', policyArn)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Deletes a principal with its inline policies and attachments, in one transaction. */
  private deletePrincipal(
    type: IamPrincipalType,
    name: string,
    remove: (trx: Kysely<Database>) => Promise<boolean>,
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('iam_inline_policies')
        .where('principal_type', '=', type)
        .where('principal_name', '=', name)
        .execute();
      await trx
        .deleteFrom('iam_attached_policies')
        .where('principal_type', '=', type)
        .where('principal_name', '=', name)
        .execute();
      return remove(trx);
    });
  }
}
