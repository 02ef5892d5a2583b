import { describe, expect, it } from 'vitest';
import { matchesFilters, sortSecrets } from './secret-list-filters.js';
import type { Secret } from './secret-records.js';

function secret(name: string, createdMs: number, description?: string, tags = {}): Secret {
  return {
    record: {
      arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`,
      name,
      createdMs,
      revision: 0,
      deletionMs: null,
      lastAccessedMs: null,
      metadataJson: '{}',
    },
    metadata: {
      ...(description === undefined ? {} : { description }),
      tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value: String(Value) })),
      stages: {},
      lastChangedMs: createdMs,
    },
  };
}

const db = secret('prod/db', 3, 'Database password', { team: 'data' });
const token = secret('prod/github', 1, 'GitHub token', { team: 'platform' });
const dev = secret('dev/github', 2);
const names = (list: Secret[]) => list.map((s) => s.record.name);

describe('ListSecrets filters', () => {
  it('matches name prefixes case-sensitively, descriptions case-insensitively', () => {
    const all = [db, token, dev];
    expect(
      names(all.filter((s) => matchesFilters(s, [{ Key: 'name', Values: ['prod/'] }]))),
    ).toEqual(['prod/db', 'prod/github']);
    expect(
      names(all.filter((s) => matchesFilters(s, [{ Key: 'name', Values: ['PROD/'] }]))),
    ).toEqual([]);
    expect(
      names(all.filter((s) => matchesFilters(s, [{ Key: 'description', Values: ['github'] }]))),
    ).toEqual(['prod/github']);
  });

  it('ORs the values of one filter, ANDs filters, and negates with !', () => {
    const all = [db, token, dev];
    const filters = [
      { Key: 'tag-value' as const, Values: ['data', 'platform'] },
      { Key: 'name' as const, Values: ['!prod/db'] },
    ];
    expect(names(all.filter((s) => matchesFilters(s, filters)))).toEqual(['prod/github']);
    expect(
      names(all.filter((s) => matchesFilters(s, [{ Key: 'all', Values: ['password'] }]))),
    ).toEqual(['prod/db']);
  });

  it('sorts by creation date unless asked otherwise', () => {
    expect(names(sortSecrets([db, token, dev], undefined, undefined))).toEqual([
      'prod/github',
      'dev/github',
      'prod/db',
    ]);
    expect(names(sortSecrets([db, token, dev], 'name', 'desc'))).toEqual([
      'prod/github',
      'prod/db',
      'dev/github',
    ]);
  });
});
