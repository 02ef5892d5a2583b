/**
 * The policies that apply to a caller: for an IAM user its inline and attached policies and
 * those of its groups, plus its permissions boundary; for a role session the role's own, plus
 * the session policies it was given. Parsed documents are cached by their text, since the
 * same few documents are evaluated on every request.
 */
import type { PolicyDocument } from './policy/policy-document.js';
import { parsePolicyDocument } from './policy/parse-policy-document.js';
import type { Principal } from './principal.js';
import type { IamPrincipalType } from '../store/iam-store.js';
import type { StateStore } from '../store/state-store.js';

const CACHE_LIMIT = 1000;
/**
 * Stands in for a managed session policy deleted since the session began: the session must
 * stay limited, and an absent session policy would mean no limit at all.
 */
const ALLOWS_NOTHING = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', NotAction: '*', Resource: '*' }],
});

export interface PrincipalPolicies {
  identityPolicies: PolicyDocument[];
  permissionsBoundary?: PolicyDocument;
  /** A session's policies (AssumeRole's Policy and PolicyArns); absent means no limit. */
  sessionPolicies?: PolicyDocument[];
}

export class PrincipalPolicyLoader {
  private readonly parsed = new Map<string, PolicyDocument>();

  constructor(private readonly store: StateStore) {}

  /** Everything that grants or limits what an IAM user may do. */
  async forUser(userName: string): Promise<PrincipalPolicies> {
    const user = await this.store.iam.getUser(userName);
    if (!user) return { identityPolicies: [] };
    const texts = await this.documentsOf('user', userName);
    for (const group of await this.store.iam.groupsOfUser(userName)) {
      texts.push(...(await this.documentsOf('group', group)));
    }
    const boundary =
      user.permissionsBoundaryArn && (await this.defaultVersion(user.permissionsBoundaryArn));
    return {
      identityPolicies: texts.map((text) => this.parse(text)),
      ...(boundary ? { permissionsBoundary: this.parse(boundary) } : {}),
    };
  }

  /** Everything that grants or limits what a caller, user or session, may do. */
  async forPrincipal(principal: Principal): Promise<PrincipalPolicies> {
    const roleName = principal.session?.roleName;
    const own =
      roleName === undefined
        ? await this.forUser(principal.userName)
        : await this.forRole(roleName);
    const texts = principal.session?.sessionPolicy ? [principal.session.sessionPolicy] : [];
    for (const arn of principal.session?.sessionPolicyArns ?? []) {
      texts.push((await this.defaultVersion(arn)) ?? ALLOWS_NOTHING);
    }
    return texts.length === 0 ? own : { ...own, sessionPolicies: texts.map((t) => this.parse(t)) };
  }

  /** A role's inline and attached policies and its permissions boundary. */
  async forRole(roleName: string): Promise<PrincipalPolicies> {
    const role = await this.store.iam.getRole(roleName);
    if (!role) return { identityPolicies: [] };
    const texts = await this.documentsOf('role', roleName);
    const boundary =
      role.permissionsBoundaryArn && (await this.defaultVersion(role.permissionsBoundaryArn));
    return {
      identityPolicies: texts.map((text) => this.parse(text)),
      ...(boundary ? { permissionsBoundary: this.parse(boundary) } : {}),
    };
  }

  private async documentsOf(type: IamPrincipalType, name: string): Promise<string[]> {
    const inline = (await this.store.iam.listInlinePolicies(type, name)).map((p) => p.document);
    const attached = await Promise.all(
      (await this.store.iam.attachedPolicies(type, name)).map((arn) => this.defaultVersion(arn)),
    );
    return [...inline, ...attached.filter((d): d is string => d !== undefined)];
  }

  private async defaultVersion(arn: string): Promise<string | undefined> {
    const policy = await this.store.iam.getPolicy(arn);
    return (
      policy && (await this.store.iam.getPolicyVersion(arn, policy.defaultVersionId))?.document
    );
  }

  private parse(text: string): PolicyDocument {
    let document = this.parsed.get(text);
    if (!document) {
      document = parsePolicyDocument(text, { kind: 'identity' });
      if (this.parsed.size >= CACHE_LIMIT) this.parsed.clear();
      this.parsed.set(text, document);
    }
    return document;
  }
}
