/**
 * CodePipeline's tag rules: at most 50 tags per resource, keys unique, and no key in the
 * reserved `aws:` prefix (which only AWS itself may set).
 */
import { InvalidTagsException, TooManyTagsException } from '../errors/codepipeline-errors.js';
import type { Tag } from './declaration.js';

export const MAX_TAGS_PER_RESOURCE = 50;

/** Refuses reserved or repeated keys in a tag list a caller sent. */
export function checkTagKeys(tags: readonly Tag[]): void {
  const seen = new Set<string>();
  for (const tag of tags) {
    if (tag.key.toLowerCase().startsWith('aws:')) {
      throw new InvalidTagsException(
        `Tag key '${tag.key}' is not allowed: keys beginning with 'aws:' are reserved for AWS use.`,
      );
    }
    if (seen.has(tag.key)) {
      throw new InvalidTagsException(`Tag key '${tag.key}' appears more than once.`);
    }
    seen.add(tag.key);
  }
}

/** Refuses a resource ending up with more than 50 tags. */
export function checkTagCount(resourceArn: string, count: number): void {
  if (count > MAX_TAGS_PER_RESOURCE) {
    throw new TooManyTagsException(
      `Resource ${resourceArn} would have ${count} tags; ` +
        `the limit is ${MAX_TAGS_PER_RESOURCE} tags per resource.`,
    );
  }
}
