import { describe, expect, it } from 'vitest';
import { checkConnectionEndpoint, redactEndpoint } from './connection-endpoint.js';

describe('checkConnectionEndpoint', () => {
  it.each([
    ['file:///srv/git/', 'file:///srv/git'],
    ['https://git.example.com//', 'https://git.example.com'],
    ['ssh://git@git.example.com:2222/repos', 'ssh://git@git.example.com:2222/repos'],
  ])('accepts %s', (endpoint, stored) => {
    expect(checkConnectionEndpoint(endpoint)).toBe(stored);
  });

  it.each([
    ['ssh://git:pw@host/repos', 'credentials'],
    ['https://token@host', 'credentials'],
    ['https:///nohost', "write it as 'https://nohost'"],
    ['file://localhost/srv/git', "write it as 'file:///srv/git'"],
    ['HTTPS://git.example.com:443/a', "write it as 'https://git.example.com/a'"],
    ['file:///srv/my repos', "write it as 'file:///srv/my%20repos'"],
    ['ssh:///srv', 'no host'],
    ['fd::17', "scheme 'fd'"],
    ['-uupload-pack=x', 'not a URL'],
    ['https://host/#x', 'fragment'],
  ])('refuses %s', (endpoint, why) => {
    expect(() => checkConnectionEndpoint(endpoint)).toThrow(why);
  });
});

describe('redactEndpoint', () => {
  it('hides the user part of a URL and nothing else', () => {
    expect(redactEndpoint('https://bob:pw@host/x')).toBe('https://***@host/x');
    expect(redactEndpoint('file:///srv/a@b')).toBe('file:///srv/a@b');
  });
});
