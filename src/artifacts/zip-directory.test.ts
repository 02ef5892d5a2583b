import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { NoMatchingArtifactPathsError, UnsafeArtifactPathError } from './artifact-errors.js';
import type { PutDirectoryOptions } from './artifact-store.js';
import { zipDirectory } from './zip-directory.js';

/** Writes `files` (path → content, or content and mode) under a fresh directory. */
async function tree(files: Record<string, string | [string, number]>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'lockstep-zip-'));
  for (const [name, spec] of Object.entries(files)) {
    const [content, mode] = typeof spec === 'string' ? [spec, 0o644] : spec;
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), content);
    await chmod(path.join(root, name), mode);
  }
  return root;
}

/** Entry names and unix modes of a zip, in archive order. */
async function entries(zip: Buffer): Promise<[string, number][]> {
  const result: [string, number][] = [];
  const file = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  for await (const entry of file.eachEntry()) {
    result.push([entry.fileName, entry.externalFileAttributes >>> 16]);
  }
  return result;
}

async function names(dir: string, options?: PutDirectoryOptions): Promise<string[]> {
  return (await entries(await zipDirectory(dir, options))).map(([name]) => name);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const project = {
  'README.md': 'hello',
  '.env': 'X=1',
  'notes.txt': 'n',
  'dist/app.js': 'app',
  'dist/.map/app.js.map': '{}',
  'dist/lib/util.js': 'util',
  'src/index.txt': 'src',
};

describe('zipDirectory', () => {
  const savedTz = process.env.TZ;
  afterEach(() => {
    // Assigning undefined would set the string 'undefined'.
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it('takes every file by default, dot files included, sorted by name', async () => {
    expect(await names(await tree(project))).toEqual([
      '.env',
      'README.md',
      'dist/.map/app.js.map',
      'dist/app.js',
      'dist/lib/util.js',
      'notes.txt',
      'src/index.txt',
    ]);
  });

  it('selects files with globs as buildspec artifacts write them', async () => {
    const dir = await tree(project);
    expect(await names(dir, { files: ['dist/**/*'] })).toEqual([
      'dist/.map/app.js.map',
      'dist/app.js',
      'dist/lib/util.js',
    ]);
    expect(await names(dir, { files: ['*.txt'] })).toEqual(['notes.txt']);
    expect(await names(dir, { files: ['*.txt', 'src/**/*', 'README.md'] })).toEqual([
      'README.md',
      'notes.txt',
      'src/index.txt',
    ]);
  });

  it('makes names relative to baseDirectory and flattens them with discardPaths', async () => {
    const dir = await tree(project);
    expect(await names(dir, { baseDirectory: 'dist', files: ['**/*.js'] })).toEqual([
      'app.js',
      'lib/util.js',
    ]);
    expect(await names(dir, { files: ['dist/**/*.js'], discardPaths: true })).toEqual([
      'app.js',
      'util.js',
    ]);
    const clash = await tree({ 'a/x.js': '1', 'b/x.js': '2' });
    await expect(zipDirectory(clash, { discardPaths: true })).rejects.toThrow(/same name 'x.js'/);
  });

  it('fails with the patterns named when nothing matches', async () => {
    const dir = await tree(project);
    const noMatch = zipDirectory(dir, { files: ['build/**/*', '*.jar'] });
    await expect(noMatch).rejects.toThrow(NoMatchingArtifactPathsError);
    await expect(noMatch).rejects.toThrow(
      "no matching artifact paths found for 'build/**/*', '*.jar'",
    );
    await expect(zipDirectory(dir, { baseDirectory: 'missing' })).rejects.toThrow(
      NoMatchingArtifactPathsError,
    );
    await expect(zipDirectory(await tree({}))).rejects.toThrow(NoMatchingArtifactPathsError);
  });

  it('refuses patterns and base directories that leave the directory', async () => {
    const dir = await tree(project);
    for (const options of [
      { files: ['../**/*'] },
      { files: ['dist/../../*'] },
      { files: [path.join(tmpdir(), '*')] },
      { baseDirectory: '..' },
      { baseDirectory: '/etc' },
    ]) {
      await expect(zipDirectory(path.join(dir, 'dist'), options)).rejects.toThrow(
        UnsafeArtifactPathError,
      );
    }
    const outside = await tree({ 'secret.txt': 'secret' });
    await symlink(outside, path.join(dir, 'escape'));
    await expect(zipDirectory(dir, { baseDirectory: 'escape' })).rejects.toThrow(/leads outside/);
  });

  it('neither follows nor stores symbolic links', async () => {
    const outside = await tree({ 'secret.txt': 'secret' });
    const dir = await tree({ 'a.txt': 'a' });
    await symlink(path.join(outside, 'secret.txt'), path.join(dir, 'leak.txt'));
    await symlink(outside, path.join(dir, 'leakdir'));
    await symlink('a.txt', path.join(dir, 'alias.txt'));
    expect(await names(dir)).toEqual(['a.txt']);
  });

  it('keeps only the executable bit: 0755 or 0644', async () => {
    const dir = await tree({ 'run.sh': ['#!/bin/sh', 0o700], 'data.bin': ['d', 0o600] });
    expect(await entries(await zipDirectory(dir))).toEqual([
      ['data.bin', 0o100644],
      ['run.sh', 0o100755],
    ]);
  });

  it('gives the same bytes for the same files, whatever their times, umask or time zone', async () => {
    const spec = { ...project, 'bin/run': ['#!/bin/sh\necho hi\n', 0o755] as [string, number] };
    const first = await tree(spec);
    process.env.TZ = 'Pacific/Kiritimati';
    const digestA = sha256(await zipDirectory(first));

    const second = await tree({ ...spec, 'bin/run': ['#!/bin/sh\necho hi\n', 0o700] });
    await chmod(path.join(second, 'README.md'), 0o600);
    await utimes(path.join(second, 'dist/app.js'), new Date('2001-02-03'), new Date('2001-02-03'));
    process.env.TZ = 'America/Los_Angeles';
    expect(sha256(await zipDirectory(second))).toBe(digestA);

    await writeFile(path.join(second, 'dist/app.js'), 'app!');
    expect(sha256(await zipDirectory(second))).not.toBe(digestA);
    await chmod(path.join(first, 'README.md'), 0o755);
    expect(sha256(await zipDirectory(first))).not.toBe(digestA);
  });
});
