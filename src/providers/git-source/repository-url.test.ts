import { describe, expect, it } from 'vitest';
import { repositoryUrlFor } from './repository-url.js';

describe('repositoryUrlFor', () => {
  it('puts the repository id under the endpoint, with or without a trailing slash', () => {
    expect(repositoryUrlFor('file:///srv/git', 'team/app')).toBe('file:///srv/git/team/app');
    expect(repositoryUrlFor('https://git.example.com/', 'group/sub/app.git')).toBe(
      'https://git.example.com/group/sub/app.git',
    );
    expect(repositoryUrlFor('ssh://git@host:2222/repos', 'o/r')).toBe(
      'ssh://git@host:2222/repos/o/r',
    );
  });

  it.each([
    '../etc',
    'team/../../etc',
    'team/./app',
    '/abs/path',
    'team//app',
    'team/app/',
    '',
    'team/%2e%2e/app',
    'team\\..\\app',
    'team/app?x=1',
    'team/app#frag',
    'team/a b',
  ])('refuses %j', (id) => {
    expect(() => repositoryUrlFor('file:///srv/git', id)).toThrow(
      /FullRepositoryId .* is not valid/,
    );
  });
});
