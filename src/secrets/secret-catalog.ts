/**
 * What Secrets Manager tells about secrets without reading a value: DescribeSecret,
 * ListSecrets, ListSecretVersionIds, tags, and the rotation schedule with the secrets whose
 * rotation is overdue (rotation-schedule.ts says why rotation is a PutSecretValue here).
 */
import { decodePageToken, encodePageToken } from '../pipelines/page-token.js';
import { InvalidRequestException } from './secret-errors.js';
import {
  sortSecrets,
  matchesFilters,
  type SecretFilter,
  type SecretSortBy,
} from './secret-list-filters.js';
import type { ResourcePolicyRule } from '../iam/authorize.js';
import type { PolicyDocument } from '../iam/policy/policy-document.js';
import { secretArnPrefix } from './secret-arn.js';
import { checkTags, mergeTags, parseSecretMetadata } from './secret-metadata.js';
import {
  parseSecretPolicy,
  refusePublicPolicy,
  secretPolicyRule,
} from './secret-resource-policy.js';
import { refuseIfScheduledForDeletion, type SecretRecords } from './secret-records.js';
import { describeView, listEntryView } from './secret-views.js';
import {
  disableRotation,
  enableRotation,
  isRotationOverdue,
  type RotationRules,
} from './rotation-schedule.js';
import { stagesOf } from './version-staging.js';

/** Parsed resource policies kept at most. */
const POLICY_CACHE_LIMIT = 1000;
/** ListSecrets and ListSecretVersionIds answer this many entries a page unless asked. */
const DEFAULT_PAGE_SIZE = 100;

export interface ListSecretsInput {
  IncludePlannedDeletion?: boolean;
  MaxResults?: number;
  NextToken?: string;
  Filters?: SecretFilter[];
  SortOrder?: 'asc' | 'desc';
  SortBy?: SecretSortBy;
}

export interface ListSecretVersionIdsInput {
  SecretId: string;
  MaxResults?: number;
  NextToken?: string;
  IncludeDeprecated?: boolean;
}

export interface RotateSecretInput {
  SecretId: string;
  RotationLambdaARN?: string;
  RotationRules?: RotationRules;
  RotateImmediately?: boolean;
  ExternalSecretRotationRoleArn?: string;
  ExternalSecretRotationMetadata?: unknown[];
}

export interface PutResourcePolicyInput {
  SecretId: string;
  ResourcePolicy: string;
  BlockPublicPolicy?: boolean;
}

/** A secret whose rotation is overdue, for `lockstep secrets overdue`. */
export interface OverdueSecret {
  name: string;
  arn: string;
  nextRotationDate: Date;
  lastRotatedDate?: Date;
  rotationRules: RotationRules;
}

export class SecretCatalog {
  private readonly parsedPolicies = new Map<string, PolicyDocument>();

  constructor(
    private readonly records: SecretRecords,
    private readonly now: () => number,
  ) {}

  /** DescribeSecret: works on a secret scheduled for deletion too, to show its DeletedDate. */
  async describe(secretId: string) {
    return describeView(await this.records.require(secretId));
  }

  /** ListSecrets: filtered, sorted and paged; secrets scheduled for deletion only if asked. */
  async list(input: ListSecretsInput) {
    const wanted = (await this.records.all()).filter(
      (s) =>
        (input.IncludePlannedDeletion === true || s.record.deletionMs === null) &&
        matchesFilters(s, input.Filters ?? []),
    );
    const sorted = sortSecrets(wanted, input.SortBy, input.SortOrder);
    const { page, NextToken } = pageOf(sorted, 'ListSecrets', input);
    return { SecretList: page.map(listEntryView), ...(NextToken ? { NextToken } : {}) };
  }

  /** ListSecretVersionIds: the labelled versions, newest first (every version if asked). */
  async listVersionIds(input: ListSecretVersionIdsInput) {
    const { record, metadata } = await this.records.require(input.SecretId);
    const versions = (await this.records.store.listVersions(record.arn))
      .map((v) => ({ version: v, stages: stagesOf(metadata.stages, v.versionId) }))
      .filter((v) => input.IncludeDeprecated === true || v.stages.length > 0)
      .reverse();
    const { page, NextToken } = pageOf(versions, `ListSecretVersionIds:${record.arn}`, input);
    return {
      ARN: record.arn,
      Name: record.name,
      Versions: page.map(({ version, stages }) => ({
        VersionId: version.versionId,
        ...(stages.length === 0 ? {} : { VersionStages: stages }),
        CreatedDate: new Date(version.createdMs),
        KmsKeyIds: [version.keyArn],
      })),
      ...(NextToken ? { NextToken } : {}),
    };
  }

  /** TagResource: adds tags, replacing the value of a key already there. */
  async tag(secretId: string, tags: { Key?: string; Value?: string }[]): Promise<void> {
    const added = checkTags(tags);
    await this.records.change(secretId, (secret) => {
      const { metadata } = refuseIfScheduledForDeletion(secret);
      return { metadata: { ...metadata, tags: mergeTags(metadata.tags, added) } };
    });
  }

  /** UntagResource: removes tags by key; keys not there are ignored. */
  async untag(secretId: string, tagKeys: string[]): Promise<void> {
    const gone = new Set(tagKeys);
    await this.records.change(secretId, (secret) => {
      const { metadata } = refuseIfScheduledForDeletion(secret);
      return { metadata: { ...metadata, tags: metadata.tags.filter((t) => !gone.has(t.Key)) } };
    });
  }

  /**
   * RotateSecret: records the schedule and turns rotation on. Lockstep runs no Lambda, so a
   * rotation function or partner rotation is refused, and "rotate immediately" (the default)
   * makes the secret due now: overdue until its new value is written with PutSecretValue.
   */
  async rotate(input: RotateSecretInput) {
    if (
      (input.RotationLambdaARN ?? '') !== '' ||
      input.ExternalSecretRotationRoleArn !== undefined ||
      input.ExternalSecretRotationMetadata !== undefined
    ) {
      throw new InvalidRequestException(
        'Lockstep runs no rotation functions: leave out RotationLambdaARN and the external ' +
          'rotation members, and rotate the secret by writing its new value with ' +
          'PutSecretValue. RotateSecret records the schedule (RotationRules).',
      );
    }
    const rotated = await this.records.change(input.SecretId, (secret) => {
      const { metadata } = refuseIfScheduledForDeletion(secret);
      const rotation = enableRotation(
        metadata.rotation,
        input.RotationRules,
        input.RotateImmediately ?? true,
        this.now(),
      );
      return { metadata: { ...metadata, rotation, lastChangedMs: this.now() } };
    });
    return { ARN: rotated.record.arn, Name: rotated.record.name };
  }

  /** CancelRotateSecret: turns rotation off, keeping the schedule for DescribeSecret. */
  async cancelRotation(secretId: string) {
    const cancelled = await this.records.change(secretId, (secret) => {
      const { metadata } = refuseIfScheduledForDeletion(secret);
      return {
        metadata: {
          ...metadata,
          rotation: disableRotation(metadata.rotation),
          lastChangedMs: this.now(),
        },
      };
    });
    return { ARN: cancelled.record.arn, Name: cancelled.record.name };
  }

  /** GetResourcePolicy: the secret's resource policy, if it has one. */
  async getResourcePolicy(secretId: string) {
    const { record, metadata } = await this.records.require(secretId);
    return {
      ARN: record.arn,
      Name: record.name,
      ...(metadata.resourcePolicy === undefined ? {} : { ResourcePolicy: metadata.resourcePolicy }),
    };
  }

  /** PutResourcePolicy: checked by the policy engine, then enforced on every call. */
  async putResourcePolicy(input: PutResourcePolicyInput) {
    const policy = parseSecretPolicy(input.ResourcePolicy);
    if (input.BlockPublicPolicy === true) refusePublicPolicy(policy);
    const put = await this.records.change(input.SecretId, (secret) => {
      const { metadata } = refuseIfScheduledForDeletion(secret);
      return { metadata: { ...metadata, resourcePolicy: input.ResourcePolicy } };
    });
    return { ARN: put.record.arn, Name: put.record.name };
  }

  /** DeleteResourcePolicy: the secret is governed by identity policies alone again. */
  async deleteResourcePolicy(secretId: string) {
    const deleted = await this.records.change(secretId, (secret) => {
      const { resourcePolicy: _dropped, ...metadata } =
        refuseIfScheduledForDeletion(secret).metadata;
      return { metadata };
    });
    return { ARN: deleted.record.arn, Name: deleted.record.name };
  }

  /** The rule of the secret `resourceArn` names, when it has a resource policy (authorize.ts). */
  async policyRule(resourceArn: string): Promise<ResourcePolicyRule | undefined> {
    if (!resourceArn.startsWith(secretArnPrefix(this.records.scope))) return undefined;
    const record = await this.records.store.getByArn(resourceArn);
    const text = record && parseSecretMetadata(record.metadataJson).resourcePolicy;
    if (text === undefined) return undefined;
    // Parsed once per text: every call on the secret is evaluated against it.
    let policy = this.parsedPolicies.get(text);
    if (policy === undefined) {
      if (this.parsedPolicies.size >= POLICY_CACHE_LIMIT) this.parsedPolicies.clear();
      policy = parseSecretPolicy(text);
      this.parsedPolicies.set(text, policy);
    }
    return secretPolicyRule(policy);
  }

  /** The secrets (not scheduled for deletion) whose next rotation date has passed, most overdue first. */
  async overdue(): Promise<OverdueSecret[]> {
    const nowMs = this.now();
    const overdue: OverdueSecret[] = [];
    for (const { record, metadata } of await this.records.all()) {
      const rotation = metadata.rotation;
      if (record.deletionMs !== null || !isRotationOverdue(rotation, nowMs)) continue;
      if (rotation?.nextRotationMs === undefined) continue;
      overdue.push({
        name: record.name,
        arn: record.arn,
        nextRotationDate: new Date(rotation.nextRotationMs),
        ...(rotation.lastRotatedMs === undefined
          ? {}
          : { lastRotatedDate: new Date(rotation.lastRotatedMs) }),
        rotationRules: rotation.rules,
      });
    }
    return overdue.sort((a, b) => a.nextRotationDate.getTime() - b.nextRotationDate.getTime());
  }
}

/** One page of `items` from the offset a NextToken of `kind` carries. */
function pageOf<T>(
  items: readonly T[],
  kind: string,
  input: { MaxResults?: number; NextToken?: string },
): { page: T[]; NextToken?: string } {
  const offset = Number(decodePageToken(kind, input.NextToken) ?? '0');
  const size = input.MaxResults ?? DEFAULT_PAGE_SIZE;
  const page = items.slice(offset, offset + size);
  const next = offset + size;
  return next < items.length ? { page, NextToken: encodePageToken(kind, String(next)) } : { page };
}
