/**
 * Reads what the access review needs from the store: every user (and the bootstrap
 * administrator) and role with the policies that apply to it, pipelines, access keys, and when
 * each key was last used, which is the newest audit record made with it (the store keeps no
 * last-used time: the trail already records every call with its key).
 */
import type { IamPrincipalType } from '../store/iam-store.js';
import type { MfaStore } from '../store/mfa-store.js';
import type { AccessKeyRecord, StateStore } from '../store/state-store.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import type {
  AccessReportInput,
  NamedPolicy,
  ReportKeyInput,
  ReportPrincipalInput,
} from './access-report.js';
import { bootstrapAdminArn } from './bootstrap-admin.js';
import { parsePolicyDocument } from './policy/parse-policy-document.js';
import { BOOTSTRAP_ADMIN_USER } from './principal.js';

const PIPELINE_PAGE = 500;

/** What the loader reads; `mfa` is optional so that a store without MFA devices reports "unknown". */
export type AccessReportSource = Pick<
  StateStore,
  'iam' | 'listAccessKeysOf' | 'lookupAudit' | 'listPipelines' | 'getPipelineVersion'
> & { mfa?: Pick<MfaStore, 'listDevicesOfUser'> };

export class AccessReportLoader {
  constructor(
    private readonly store: AccessReportSource,
    private readonly scope: AccountScope,
  ) {}

  /** Everything buildAccessReport needs, as of `nowMs`. */
  async load(nowMs: number): Promise<AccessReportInput> {
    const root: ReportPrincipalInput = {
      type: 'root',
      name: BOOTSTRAP_ADMIN_USER,
      arn: bootstrapAdminArn(this.scope.accountId),
      policies: [],
      accessKeys: await this.keysOf(BOOTSTRAP_ADMIN_USER),
      mfaEnabled: await this.mfaEnabled(BOOTSTRAP_ADMIN_USER),
    };
    const users = await Promise.all((await this.store.iam.listUsers()).map((u) => this.user(u)));
    const roles = await Promise.all((await this.store.iam.listRoles()).map((r) => this.role(r)));
    return {
      accountId: this.scope.accountId,
      principals: [root, ...users, ...roles],
      pipelines: await this.pipelines(),
      mfaAvailable: this.store.mfa !== undefined,
      nowMs,
    };
  }

  private async user(user: {
    userName: string;
    arn: string;
    permissionsBoundaryArn: string | null;
  }): Promise<ReportPrincipalInput> {
    const policies = await this.policiesOf('user', user.userName);
    for (const group of await this.store.iam.groupsOfUser(user.userName)) {
      policies.push(...(await this.policiesOf('group', group)));
    }
    const boundary = await this.managed(user.permissionsBoundaryArn);
    return {
      type: 'user',
      name: user.userName,
      arn: user.arn,
      policies,
      ...(boundary ? { permissionsBoundary: boundary } : {}),
      accessKeys: await this.keysOf(user.userName),
      mfaEnabled: await this.mfaEnabled(user.userName),
    };
  }

  private async role(role: {
    roleName: string;
    arn: string;
    permissionsBoundaryArn: string | null;
  }): Promise<ReportPrincipalInput> {
    const boundary = await this.managed(role.permissionsBoundaryArn);
    return {
      type: 'role',
      name: role.roleName,
      arn: role.arn,
      policies: await this.policiesOf('role', role.roleName),
      ...(boundary ? { permissionsBoundary: boundary } : {}),
      accessKeys: [],
      mfaEnabled: undefined,
    };
  }

  private async policiesOf(type: IamPrincipalType, name: string): Promise<NamedPolicy[]> {
    const inline = (await this.store.iam.listInlinePolicies(type, name)).map((p) => ({
      id: `inline:${type}/${name}/${p.policyName}`,
      name: p.policyName,
      attachedTo: `${type}/${name}`,
      document: parsePolicyDocument(p.document, { kind: 'identity' }),
    }));
    const attached = await Promise.all(
      (await this.store.iam.attachedPolicies(type, name)).map((arn) => this.managed(arn)),
    );
    return [...inline, ...attached.filter((p): p is NamedPolicy => p !== undefined)];
  }

  private async managed(arn: string | null): Promise<NamedPolicy | undefined> {
    const policy = arn === null ? undefined : await this.store.iam.getPolicy(arn);
    if (!policy) return undefined;
    const version = await this.store.iam.getPolicyVersion(policy.arn, policy.defaultVersionId);
    if (!version) return undefined;
    return {
      id: policy.arn,
      name: policy.policyName,
      attachedTo: 'managed',
      document: parsePolicyDocument(version.document, { kind: 'identity' }),
    };
  }

  private async keysOf(userName: string): Promise<ReportKeyInput[]> {
    const keys = await this.store.listAccessKeysOf(userName);
    return Promise.all(keys.map((key) => this.keyWithLastUse(key)));
  }

  private async keyWithLastUse(key: AccessKeyRecord): Promise<ReportKeyInput> {
    // Newest first: the first record is the last use.
    const [newest] = await this.store.lookupAudit({
      attribute: { key: 'AccessKeyId', value: key.accessKeyId },
      limit: 1,
    });
    return {
      accessKeyId: key.accessKeyId,
      status: key.status,
      createdMs: key.createdMs,
      lastUsedMs: newest?.eventTimeMs,
    };
  }

  private async mfaEnabled(userName: string): Promise<boolean | undefined> {
    if (!this.store.mfa) return undefined;
    const devices = await this.store.mfa.listDevicesOfUser(userName);
    return devices.some((d) => d.userName === userName && d.enabledMs !== null);
  }

  private async pipelines(): Promise<{ name: string; arn: string; approvals: string[] }[]> {
    const all: { name: string; arn: string; approvals: string[] }[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.store.listPipelines(after, PIPELINE_PAGE);
      for (const p of page) {
        all.push({
          name: p.name,
          arn: p.arn,
          approvals: await this.approvalsOf(p.name, p.version),
        });
      }
      if (page.length < PIPELINE_PAGE) return all;
      after = page[page.length - 1]?.name;
    }
  }

  /** The `stage/action` paths of a pipeline's Manual approvals, in its current version. */
  private async approvalsOf(name: string, version: number): Promise<string[]> {
    const row = await this.store.getPipelineVersion(name, version);
    const declaration = JSON.parse(row?.declarationJson ?? '{"stages":[]}') as {
      stages: { name: string; actions: { name: string; actionTypeId: { category: string } }[] }[];
    };
    return declaration.stages.flatMap((stage) =>
      stage.actions
        .filter((action) => action.actionTypeId.category === 'Approval')
        .map((action) => `${stage.name}/${action.name}`),
    );
  }
}
