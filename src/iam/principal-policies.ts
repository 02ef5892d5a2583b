/**
 * The policies that apply to an IAM user: its inline and attached policies and those of its
 * groups, plus its permissions boundary. Parsed documents are cached by their text, since the
 * same few documents are evaluated on every request.
 */
import type { PolicyDocument } from './policy/policy-document.js';
import { parsePolicyDocument } from './policy/parse-policy-document.js';
import type { IamPrincipalType } from '../store/iam-store.js';
import type { StateStore } from '../store/state-store.js';

const CACHE_LIMIT = 1000;

export interface PrincipalPolicies {
  identityPolicies: PolicyDocument[];
  permissionsBoundary?: PolicyDocument;
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
