/**
 * IAM roles: CreateRole (with its trust policy, parsed as a resource policy), GetRole,
 * ListRoles, DeleteRole (refused while policies are attached or inline, as IAM does).
 */
import { parsePolicyDocument } from './policy/parse-policy-document.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import type { IamRoleRecord, IamStore } from '../store/iam-store.js';
import { IamEntityExistsError } from '../store/iam-store.js';
import type { StateStore } from '../store/state-store.js';
import { DeleteConflict, EntityAlreadyExists, NoSuchEntity } from './iam-errors.js';
import { checkPath, iamArn, nameFromArn, newIamId } from './iam-identifiers.js';

/** IAM's default and longest role session, in seconds. */
const DEFAULT_MAX_SESSION_SECONDS = 3600;

const roleShape = (r: IamRoleRecord) => ({
  Path: r.path,
  RoleName: r.roleName,
  RoleId: r.roleId,
  Arn: r.arn,
  CreateDate: new Date(r.createdMs),
  AssumeRolePolicyDocument: encodeURIComponent(r.assumeRolePolicy),
  ...(r.description ? { Description: r.description } : {}),
  MaxSessionDuration: r.maxSessionSeconds,
});

export interface CreateRoleInput {
  RoleName: string;
  AssumeRolePolicyDocument: string;
  Path?: string;
  Description?: string;
  MaxSessionDuration?: number;
}

export class IamRoleService {
  constructor(
    private readonly store: StateStore,
    private readonly scope: AccountScope,
  ) {}

  /** CreateRole. */
  async createRole(input: CreateRoleInput) {
    parsePolicyDocument(input.AssumeRolePolicyDocument, { kind: 'trust' });
    const path = checkPath(input.Path);
    const record: IamRoleRecord = {
      roleName: input.RoleName,
      roleId: newIamId('role'),
      arn: iamArn(this.scope.accountId, 'role', path, input.RoleName),
      path,
      assumeRolePolicy: input.AssumeRolePolicyDocument,
      description: input.Description ?? null,
      maxSessionSeconds: input.MaxSessionDuration ?? DEFAULT_MAX_SESSION_SECONDS,
      permissionsBoundaryArn: null,
      createdMs: Date.now(),
    };
    await this.store.iam.createRole(record).catch((error: unknown) => {
      if (error instanceof IamEntityExistsError) {
        throw new EntityAlreadyExists(`Role with name ${input.RoleName} already exists.`);
      }
      throw error;
    });
    return { Role: roleShape(record) };
  }

  /** GetRole. */
  async getRole(roleName: string) {
    return { Role: roleShape(await this.requireRole(roleName)) };
  }

  /** ListRoles. */
  async listRoles() {
    return { Roles: (await this.store.iam.listRoles()).map(roleShape), IsTruncated: false };
  }

  /** DeleteRole. */
  async deleteRole(roleName: string) {
    await this.requireRole(roleName);
    const inline = await this.store.iam.listInlinePolicies('role', roleName);
    const attached = await this.store.iam.attachedPolicies('role', roleName);
    if (inline.length + attached.length > 0) {
      throw new DeleteConflict('Cannot delete entity, must delete policies first.');
    }
    await this.store.iam.deleteRole(roleName);
    return {};
  }

  /** The role this exact ARN (path included) names in this account, if there is one. */
  findByArn(roleArn: string): Promise<IamRoleRecord | undefined> {
    return findRoleByArn(this.store.iam, this.scope.accountId, roleArn);
  }

  /** The role, or NoSuchEntity in IAM's words. */
  async requireRole(roleName: string): Promise<IamRoleRecord> {
    const role = await this.store.iam.getRole(roleName);
    if (!role) throw new NoSuchEntity(`The role with name ${roleName} cannot be found.`);
    return role;
  }
}

/** The role `roleArn` names in `accountId`, path included, if there is one. */
export async function findRoleByArn(
  iam: Pick<IamStore, 'getRole'>,
  accountId: string,
  roleArn: string,
): Promise<IamRoleRecord | undefined> {
  const name = nameFromArn(accountId, 'role', roleArn);
  const role = name === undefined ? undefined : await iam.getRole(name);
  // The name alone is not enough: a role with the same name on another path is another role.
  return role?.arn === roleArn ? role : undefined;
}
