import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ZipFile } from 'yazl';
import { UnsafeArtifactPathError } from './artifact-errors.js';
import { extractZip } from './extract-zip.js';

interface RawEntry {
  name: string;
  data?: string;
  mode?: number;
}

/**
 * Builds a zip by hand. yazl refuses hostile names, so each entry is added under a placeholder
 * of the same length (a run of one capital letter) and the name bytes are patched afterwards.
 */
async function rawZip(entries: RawEntry[]): Promise<Buffer> {
  const zip = new ZipFile();
  const placeholders = entries.map((entry, i) =>
    String.fromCharCode(65 + i).repeat(Buffer.byteLength(entry.name)),
  );
  entries.forEach((entry, i) => {
    zip.addBuffer(Buffer.from(entry.data ?? 'x'), placeholders[i]!, {
      mode: entry.mode ?? 0o100644,
      compress: false,
    });
  });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  entries.forEach((entry, i) => {
    const from = Buffer.from(placeholders[i]!);
    for (let at = bytes.indexOf(from); at !== -1; at = bytes.indexOf(from, at + 1)) {
      bytes.write(entry.name, at);
    }
  });
  return bytes;
}

async function zipBytes(zip: ZipFile): Promise<Buffer> {
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const LINK = 0o120777;

async function scratch(): Promise<{ parent: string; dest: string }> {
  const parent = await mkdtemp(path.join(tmpdir(), 'lockstep-extract-'));
  return { parent, dest: path.join(parent, 'a', 'b', 'dest') };
}

describe('extractZip', () => {
  it('extracts files, directories and inward links with their executable bit', async () => {
    const { dest } = await scratch();
    const zip = await rawZip([
      { name: 'lib/tool.js', data: 'tool' },
      { name: 'bin/tool', data: '../lib/tool.js', mode: LINK },
      { name: 'run.sh', data: '#!/bin/sh', mode: 0o104755 },
      { name: 'empty/', mode: 0o40755 },
    ]);
    await extractZip(zip, dest);
    expect(await readFile(path.join(dest, 'bin/tool'), 'utf8')).toBe('tool');
    expect(await readlink(path.join(dest, 'bin/tool'))).toBe('../lib/tool.js');
    // The setuid bit is dropped; the executable bit is kept.
    expect((await stat(path.join(dest, 'run.sh'))).mode & 0o7777).toBe(0o755);
    expect((await stat(path.join(dest, 'lib/tool.js'))).mode & 0o7777).toBe(0o644);
    expect((await stat(path.join(dest, 'empty'))).isDirectory()).toBe(true);
  });

  it.each<[string, RawEntry[]]>([
    ['zip-slip', [{ name: 'ok.txt' }, { name: '../evil' }]],
    ['a deep zip-slip', [{ name: 'x/../../../evil' }]],
    ['an absolute path', [{ name: '/tmp/lockstep-evil' }]],
    ['a backslash path', [{ name: '..\\evil' }]],
    ['a link out', [{ name: 'ok.txt' }, { name: 'evil', data: '../../../..', mode: LINK }]],
    ['an absolute link', [{ name: 'evil', data: '/etc', mode: LINK }]],
    ['a file under a link', [{ name: 'p', data: '.', mode: LINK }, { name: 'p/evil' }]],
    [
      'a duplicate name',
      [
        { name: 'a.txt', data: '1' },
        { name: 'a.txt', data: '2' },
      ],
    ],
    ['a named pipe', [{ name: 'fifo', mode: 0o010644 }]],
  ])('refuses %s and writes nothing', async (_, entries) => {
    const { parent, dest } = await scratch();
    await expect(extractZip(await rawZip(entries), dest)).rejects.toThrow(UnsafeArtifactPathError);
    expect(await readdir(parent)).toEqual([]);
  });

  it('never writes through a link already in the destination', async () => {
    const { parent, dest } = await scratch();
    const outside = path.join(parent, 'outside');
    await mkdir(outside);
    await writeFile(path.join(outside, 'target'), 'original');
    await mkdir(dest, { recursive: true });
    await symlink(outside, path.join(dest, 'out'));
    await symlink(path.join(outside, 'target'), path.join(dest, 'file'));

    await expect(extractZip(await rawZip([{ name: 'out/new' }]), dest)).rejects.toThrow(
      /it is a symbolic link/,
    );
    await expect(extractZip(await rawZip([{ name: 'file', data: 'x' }]), dest)).rejects.toThrow();
    expect(await readdir(outside)).toEqual(['target']);
    expect(await readFile(path.join(outside, 'target'), 'utf8')).toBe('original');
    expect((await lstat(path.join(dest, 'file'))).isSymbolicLink()).toBe(true);
  });

  it('extracts deflated entries, small, many and large, byte for byte', async () => {
    const { dest } = await scratch();
    const zip = new ZipFile();
    const large = Buffer.alloc(3 * 1024 * 1024 + 5, 'large line\n');
    zip.addBuffer(large, 'big/large.txt', { compress: true });
    for (let i = 0; i < 1500; i++)
      zip.addBuffer(Buffer.from(`file ${i}\n`), `many/${i % 7}/${i}.txt`);
    zip.addBuffer(Buffer.alloc(0), 'empty.txt', { compress: true });
    await extractZip(await zipBytes(zip), dest);
    expect((await readFile(path.join(dest, 'big/large.txt'))).equals(large)).toBe(true);
    expect(await readFile(path.join(dest, 'many/4/1404.txt'), 'utf8')).toBe('file 1404\n');
    expect((await readdir(path.join(dest, 'many/0'))).length).toBe(215);
    expect(await readFile(path.join(dest, 'empty.txt'), 'utf8')).toBe('');
  });

  it.each([
    ['fewer', 100],
    ['more', 1000],
  ])('refuses an entry whose data inflates to %s bytes than recorded', async (_, recorded) => {
    const { dest } = await scratch();
    const zip = new ZipFile();
    zip.addBuffer(Buffer.alloc(500, 'a'), 'bomb.txt', { compress: true });
    const bytes = await zipBytes(zip);
    // The central directory's uncompressed size, which yauzl reads.
    bytes.writeUInt32LE(recorded, bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 24);
    await expect(extractZip(bytes, dest)).rejects.toThrow(
      new RegExp(`zip entry 'bomb.txt' .*the ${recorded} (bytes )?recorded`),
    );
  });

  it('refuses what is not a zip', async () => {
    const { dest } = await scratch();
    await expect(extractZip(Buffer.from('not a zip'), dest)).rejects.toThrow();
  });
});
