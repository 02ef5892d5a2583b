/**
 * ListSecrets' filters and sort orders, as the model documents them: `name`, `tag-key` and
 * `tag-value` match a prefix case-sensitively, `description` a prefix case-insensitively, `all`
 * any word of any of those; a value starting with `!` negates. Values of one filter are
 * alternatives; several filters must all match. Lockstep secrets have no primary region
 * (they are never replicated) and no owning service, so those keys match nothing.
 */
import type { Secret } from './secret-records.js';

export interface SecretFilter {
  Key?:
    'description' | 'name' | 'tag-key' | 'tag-value' | 'primary-region' | 'owning-service' | 'all';
  Values?: string[];
}

export type SecretSortBy = 'created-date' | 'last-accessed-date' | 'last-changed-date' | 'name';

/** Whether `secret` passes every filter. */
export function matchesFilters(secret: Secret, filters: readonly SecretFilter[]): boolean {
  return filters.every((filter) =>
    (filter.Values ?? []).some((value) => {
      const negated = value.startsWith('!');
      const wanted = negated ? value.slice(1) : value;
      return matchesKey(secret, filter.Key, wanted) !== negated;
    }),
  );
}

function matchesKey(secret: Secret, key: SecretFilter['Key'], wanted: string): boolean {
  const { record, metadata } = secret;
  const lower = wanted.toLowerCase();
  switch (key) {
    case 'name':
      return record.name.startsWith(wanted);
    case 'description':
      return (metadata.description ?? '').toLowerCase().startsWith(lower);
    case 'tag-key':
      return metadata.tags.some((tag) => tag.Key.startsWith(wanted));
    case 'tag-value':
      return metadata.tags.some((tag) => tag.Value.startsWith(wanted));
    case 'all': {
      const texts = [record.name, metadata.description ?? '']
        .concat(metadata.tags.flatMap((tag) => [tag.Key, tag.Value]))
        .map((text) => text.toLowerCase());
      return lower
        .split(/\s+/)
        .filter((word) => word !== '')
        .some((word) => texts.some((text) => text.includes(word)));
    }
    case 'primary-region':
    case 'owning-service':
    case undefined:
      return false;
  }
}

/** Sorts secrets as ListSecrets asks (by creation date, oldest first, when not asked). */
export function sortSecrets(
  secrets: Secret[],
  sortBy: SecretSortBy | undefined,
  order: 'asc' | 'desc' | undefined,
): Secret[] {
  const key = (s: Secret): string | number => {
    switch (sortBy) {
      case 'name':
        return s.record.name;
      case 'last-accessed-date':
        return s.record.lastAccessedMs ?? 0;
      case 'last-changed-date':
        return s.metadata.lastChangedMs;
      case 'created-date':
      case undefined:
        return s.record.createdMs;
    }
  };
  const sign = order === 'desc' ? -1 : 1;
  return secrets.sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    if (ka === kb) return a.record.name < b.record.name ? -1 : 1;
    return (ka < kb ? -1 : 1) * sign;
  });
}
