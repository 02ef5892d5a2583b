import { describe, expect, it } from 'vitest';
import { UnsafeArtifactPathError } from './artifact-errors.js';
import { checkSymlinkTarget, safeEntryPath } from './safe-entry-path.js';

describe('safeEntryPath', () => {
  it.each([
    ['a.txt', 'a.txt'],
    ['dir/sub/', 'dir/sub'],
    ['./a//b/./c', 'a/b/c'],
    ['..cache/x', '..cache/x'],
  ])('cleans %s to %s', (name, expected) => {
    expect(safeEntryPath(name)).toBe(expected);
  });

  it.each(['../evil', 'a/../../evil', 'a/..', '/etc/passwd', 'C:/x', 'a\\..\\b', 'a\0b', './', ''])(
    'refuses %j',
    (name) => {
      expect(() => safeEntryPath(name)).toThrow(UnsafeArtifactPathError);
    },
  );
});

describe('checkSymlinkTarget', () => {
  it.each([
    ['link', 'file'],
    ['bin/tool', '../lib/tool.js'],
    ['a/b/c', '../../x'],
    ['a/b/c', '../..'],
    ['link', '.'],
  ])('accepts %s -> %s', (entry, target) => {
    expect(() => checkSymlinkTarget(entry, target)).not.toThrow();
  });

  it.each([
    ['link', '..'],
    ['link', '../x'],
    ['a/b', '../../x'],
    ['link', '/etc/passwd'],
    ['link', 'C:/Windows'],
    // 'p/..' climbs from wherever p points, which may be higher than p itself.
    ['link', 'p/..'],
    ['a/link', 'x/../../..'],
    ['link', ''],
    ['link', 'a\\b'],
  ])('refuses %s -> %s', (entry, target) => {
    expect(() => checkSymlinkTarget(entry, target)).toThrow(UnsafeArtifactPathError);
  });
});
