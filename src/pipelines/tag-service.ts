/**
 * TagResource, UntagResource and ListTagsForResource on pipelines. (Custom action types and
 * webhooks become taggable when they exist.)
 */
import { InvalidArnException, ResourceNotFoundException } from '../errors/codepipeline-errors.js';
import type { StateStore } from '../store/state-store.js';
import type { Tag } from './declaration.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import { customActionTypeFromArn, pipelineNameFromArn, type AccountScope } from './pipeline-arn.js';
import { checkTagCount, checkTagKeys } from './tag-rules.js';

export class TagService {
  constructor(
    private readonly store: StateStore,
    private readonly scope: AccountScope,
  ) {}

  /** Adds or overwrites tags, refusing reserved keys and more than 50 in all. */
  async tag(resourceArn: string, tags: Tag[]): Promise<void> {
    await this.requireResource(resourceArn);
    checkTagKeys(tags);
    const existing = await this.store.listTags(resourceArn);
    const keys = new Set([...existing.map((t) => t.key), ...tags.map((t) => t.key)]);
    checkTagCount(resourceArn, keys.size);
    await this.store.putTags(resourceArn, tags);
  }

  /** Removes the named tags; keys that are not there are ignored, as in AWS. */
  async untag(resourceArn: string, tagKeys: string[]): Promise<void> {
    await this.requireResource(resourceArn);
    await this.store.removeTags(resourceArn, tagKeys);
  }

  /** Lists a resource's tags in key order, paged. */
  async list(
    resourceArn: string,
    nextToken?: string,
    maxResults?: number,
  ): Promise<{
    tags: Tag[];
    nextToken?: string;
  }> {
    await this.requireResource(resourceArn);
    const after = decodePageToken('tags', nextToken);
    const all = (await this.store.listTags(resourceArn)).sort((a, b) => (a.key < b.key ? -1 : 1));
    const rest = after === undefined ? all : all.filter((t) => t.key > after);
    const limit = maxResults ?? 50;
    const page = rest.slice(0, limit);
    const last = page[page.length - 1];
    return {
      tags: page.map(({ key, value }) => ({ key, value })),
      ...(rest.length > limit && last ? { nextToken: encodePageToken('tags', last.key) } : {}),
    };
  }

  private async requireResource(resourceArn: string): Promise<void> {
    const actionType = customActionTypeFromArn(this.scope, resourceArn);
    if (actionType) {
      const live = await this.store.listCustomActionTypes();
      const found = live.some(
        (t) =>
          t.category === actionType.category &&
          t.provider === actionType.provider &&
          t.version === actionType.version,
      );
      if (!found) {
        throw new ResourceNotFoundException(
          `The resource with ARN '${resourceArn}' does not exist.`,
        );
      }
      return;
    }
    const name = pipelineNameFromArn(this.scope, resourceArn);
    if (name === undefined) {
      throw new InvalidArnException(
        `The ARN '${resourceArn}' does not name a CodePipeline resource in account ` +
          `'${this.scope.accountId}' and region '${this.scope.region}'.`,
      );
    }
    if (!(await this.store.getPipeline(name))) {
      throw new ResourceNotFoundException(`The resource with ARN '${resourceArn}' does not exist.`);
    }
  }
}
