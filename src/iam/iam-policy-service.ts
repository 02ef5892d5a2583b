/**
 * IAM policies: managed policies (CreatePolicy, GetPolicy, GetPolicyVersion, DeletePolicy),
 * inline policies of users, groups and roles (Put/Get/Delete/List*Policy), and attachments
 * (Attach/Detach/ListAttached*Policies). Every document is parsed by the policy engine before
 * it is stored, so a malformed one is refused with MalformedPolicyDocument, as IAM does.
 */
import { parsePolicyDocument } from './policy/parse-policy-document.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import type {
  IamPolicyRecord,
  IamPolicyVersionRecord,
  IamPrincipalType,
} from '../store/iam-store.js';
import { IamEntityExistsError } from '../store/iam-store.js';
import type { StateStore } from '../store/state-store.js';
import { DeleteConflict, EntityAlreadyExists, LimitExceeded, NoSuchEntity } from './iam-errors.js';
import { checkPath, iamArn, newIamId } from './iam-identifiers.js';

const policyShape = (p: IamPolicyRecord, attachments: number) => ({
  PolicyName: p.policyName,
  PolicyId: p.policyId,
  Arn: p.arn,
  Path: p.path,
  DefaultVersionId: p.defaultVersionId,
  AttachmentCount: attachments,
  PermissionsBoundaryUsageCount: 0,
  IsAttachable: true,
  ...(p.description ? { Description: p.description } : {}),
  CreateDate: new Date(p.createdMs),
  UpdateDate: new Date(p.updatedMs),
});

/** IAM's limit on the versions one managed policy keeps. */
const MAX_POLICY_VERSIONS = 5;

const versionShape = (v: IamPolicyVersionRecord, isDefault: boolean) => ({
  VersionId: v.versionId,
  IsDefaultVersion: isDefault,
  CreateDate: new Date(v.createdMs),
});

/** Looks up that a user, group or role exists; NoSuchEntity otherwise. */
export type RequirePrincipal = (type: IamPrincipalType, name: string) => Promise<void>;

export class IamPolicyService {
  constructor(
    private readonly store: StateStore,
    private readonly scope: AccountScope,
    private readonly requirePrincipal: RequirePrincipal,
  ) {}

  /** CreatePolicy: version v1, the default. */
  async createPolicy(input: {
    PolicyName: string;
    PolicyDocument: string;
    Path?: string;
    Description?: string;
  }) {
    parsePolicyDocument(input.PolicyDocument, { kind: 'identity' });
    const path = checkPath(input.Path);
    const nowMs = Date.now();
    const record: IamPolicyRecord = {
      arn: iamArn(this.scope.accountId, 'policy', path, input.PolicyName),
      policyName: input.PolicyName,
      policyId: newIamId('policy'),
      path,
      description: input.Description ?? null,
      defaultVersionId: 'v1',
      createdMs: nowMs,
      updatedMs: nowMs,
    };
    const version = {
      policyArn: record.arn,
      versionId: 'v1',
      document: input.PolicyDocument,
      createdMs: nowMs,
    };
    await this.store.iam.createPolicy(record, version).catch((error: unknown) => {
      if (error instanceof IamEntityExistsError) {
        throw new EntityAlreadyExists(
          `A policy called ${input.PolicyName} already exists. Duplicate names are not allowed.`,
        );
      }
      throw error;
    });
    return { Policy: policyShape(record, 0) };
  }

  /** GetPolicy. */
  async getPolicy(arn: string) {
    const policy = await this.requirePolicy(arn);
    return { Policy: policyShape(policy, await this.store.iam.attachmentCount(arn)) };
  }

  /** GetPolicyVersion: the document URL-encoded, as IAM returns it. */
  async getPolicyVersion(arn: string, versionId: string) {
    const policy = await this.requirePolicy(arn);
    const version = await this.store.iam.getPolicyVersion(arn, versionId);
    if (!version)
      throw new NoSuchEntity(
        `Policy ${arn} version ${versionId} does not exist or is not attachable.`,
      );
    return {
      PolicyVersion: {
        Document: encodeURIComponent(version.document),
        VersionId: version.versionId,
        IsDefaultVersion: version.versionId === policy.defaultVersionId,
        CreateDate: new Date(version.createdMs),
      },
    };
  }

  /**
   * CreatePolicyVersion: IAM keeps at most five versions of a policy and numbers them on from
   * the highest it has; SetAsDefault makes the new one the policy in force at once.
   */
  async createPolicyVersion(input: {
    PolicyArn: string;
    PolicyDocument: string;
    SetAsDefault?: boolean;
  }) {
    await this.requirePolicy(input.PolicyArn);
    parsePolicyDocument(input.PolicyDocument, { kind: 'identity' });
    const versions = await this.store.iam.listPolicyVersions(input.PolicyArn);
    if (versions.length >= MAX_POLICY_VERSIONS) {
      throw new LimitExceeded(
        `A managed policy can have up to ${MAX_POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version.`,
      );
    }
    const highest = Math.max(0, ...versions.map((v) => Number(v.versionId.slice(1))));
    const version = {
      policyArn: input.PolicyArn,
      versionId: `v${highest + 1}`,
      document: input.PolicyDocument,
      createdMs: Date.now(),
    };
    await this.store.iam.addPolicyVersion(version, input.SetAsDefault === true);
    return { PolicyVersion: versionShape(version, input.SetAsDefault === true) };
  }

  /** ListPolicyVersions: every version, without its document, as IAM lists them. */
  async listPolicyVersions(arn: string) {
    const policy = await this.requirePolicy(arn);
    const versions = await this.store.iam.listPolicyVersions(arn);
    return {
      Versions: versions
        .reverse()
        .map((v) => versionShape(v, v.versionId === policy.defaultVersionId)),
      IsTruncated: false,
    };
  }

  /** SetDefaultPolicyVersion: the version in force for every principal it is attached to. */
  async setDefaultPolicyVersion(arn: string, versionId: string) {
    await this.requirePolicy(arn);
    if (!(await this.store.iam.getPolicyVersion(arn, versionId))) {
      throw new NoSuchEntity(`Policy ${arn} version ${versionId} does not exist.`);
    }
    await this.store.iam.setDefaultPolicyVersion(arn, versionId, Date.now());
    return {};
  }

  /** DeletePolicyVersion, refused for the default version as IAM does. */
  async deletePolicyVersion(arn: string, versionId: string) {
    const policy = await this.requirePolicy(arn);
    if (versionId === policy.defaultVersionId) {
      throw new DeleteConflict('Cannot delete the default version of a policy.');
    }
    if (!(await this.store.iam.deletePolicyVersion(arn, versionId))) {
      throw new NoSuchEntity(`Policy ${arn} version ${versionId} does not exist.`);
    }
    return {};
  }

  /** ListPolicies: this account's managed policies (Lockstep has no AWS managed ones). */
  async listPolicies(input: { Scope?: string; OnlyAttached?: boolean; PathPrefix?: string }) {
    if (input.Scope === 'AWS') return { Policies: [], IsTruncated: false };
    const policies = [];
    for (const policy of await this.store.iam.listPolicies()) {
      if (input.PathPrefix && !policy.path.startsWith(input.PathPrefix)) continue;
      const attachments = await this.store.iam.attachmentCount(policy.arn);
      if (input.OnlyAttached && attachments === 0) continue;
      policies.push(policyShape(policy, attachments));
    }
    return { Policies: policies, IsTruncated: false };
  }

  /** DeletePolicy, refused while it is attached anywhere. */
  async deletePolicy(arn: string) {
    await this.requirePolicy(arn);
    if ((await this.store.iam.attachmentCount(arn)) > 0) {
      throw new DeleteConflict('Cannot delete a policy attached to entities.');
    }
    await this.store.iam.deletePolicy(arn);
    return {};
  }

  /** Put{User,Group,Role}Policy. */
  async putInline(type: IamPrincipalType, name: string, policyName: string, document: string) {
    await this.requirePrincipal(type, name);
    parsePolicyDocument(document, { kind: 'identity' });
    await this.store.iam.putInlinePolicy({
      principalType: type,
      principalName: name,
      policyName,
      document,
    });
    return {};
  }

  /** Get{User,Group,Role}Policy: the document URL-encoded, as IAM returns it. */
  async getInline(type: IamPrincipalType, name: string, policyName: string) {
    await this.requirePrincipal(type, name);
    const policy = await this.store.iam.getInlinePolicy(type, name, policyName);
    if (!policy) {
      throw new NoSuchEntity(`The ${type} policy with name ${policyName} cannot be found.`);
    }
    const key = { user: 'UserName', group: 'GroupName', role: 'RoleName' }[type];
    return {
      [key]: name,
      PolicyName: policyName,
      PolicyDocument: encodeURIComponent(policy.document),
    };
  }

  /** List{User,Group,Role}Policies. */
  async listInline(type: IamPrincipalType, name: string) {
    await this.requirePrincipal(type, name);
    const policies = await this.store.iam.listInlinePolicies(type, name);
    return { PolicyNames: policies.map((p) => p.policyName), IsTruncated: false };
  }

  /** Delete{User,Group,Role}Policy. */
  async deleteInline(type: IamPrincipalType, name: string, policyName: string) {
    await this.requirePrincipal(type, name);
    if (!(await this.store.iam.deleteInlinePolicy(type, name, policyName))) {
      throw new NoSuchEntity(`The ${type} policy with name ${policyName} cannot be found.`);
    }
    return {};
  }

  /** Attach{User,Group,Role}Policy and Detach*. */
  async setAttached(type: IamPrincipalType, name: string, policyArn: string, attached: boolean) {
    await this.requirePrincipal(type, name);
    await this.requirePolicy(policyArn);
    if (attached) await this.store.iam.attachPolicy(type, name, policyArn);
    else if (!(await this.store.iam.detachPolicy(type, name, policyArn))) {
      throw new NoSuchEntity(`Policy ${policyArn} was not found.`);
    }
    return {};
  }

  /** ListAttached{User,Group,Role}Policies. */
  async listAttached(type: IamPrincipalType, name: string) {
    await this.requirePrincipal(type, name);
    const arns = await this.store.iam.attachedPolicies(type, name);
    const policies = await Promise.all(arns.map((arn) => this.store.iam.getPolicy(arn)));
    return {
      AttachedPolicies: policies.flatMap((p) =>
        p ? [{ PolicyName: p.policyName, PolicyArn: p.arn }] : [],
      ),
      IsTruncated: false,
    };
  }

  private async requirePolicy(arn: string): Promise<IamPolicyRecord> {
    const policy = await this.store.iam.getPolicy(arn);
    if (!policy) throw new NoSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
    return policy;
  }
}
