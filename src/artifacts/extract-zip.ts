/**
 * Extracts a zip into a directory. Every entry is checked first (planZipExtraction), so a
 * hostile archive writes nothing; while writing, no file or directory is ever created through a
 * symbolic link that was already in the destination.
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open, realpath, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { ZipFile } from 'yauzl';
import { UnsafeArtifactPathError } from './artifact-errors.js';
import { planZipExtraction, readEntry, type PlannedEntry } from './plan-zip-extraction.js';

const WRITE_NO_FOLLOW =
  constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;

/** Extracts `zipBytes` into `destDir` (created if needed), refusing entries that would escape. */
export async function extractZip(zipBytes: Buffer, destDir: string): Promise<void> {
  const { zip, entries } = await planZipExtraction(zipBytes);
  try {
    await mkdir(destDir, { recursive: true });
    const root = await realpath(destDir);
    const directories = new Set<string>();
    // Links last: until then nothing in the archive can redirect a write.
    const ordered = [
      ...entries.filter((entry) => entry.kind !== 'symlink'),
      ...entries.filter((entry) => entry.kind === 'symlink'),
    ];
    for (const entry of ordered) {
      await writeEntry(root, entry, directories, zip);
    }
  } finally {
    zip.close();
  }
}

async function writeEntry(
  root: string,
  entry: PlannedEntry,
  directories: Set<string>,
  zip: ZipFile,
): Promise<void> {
  if (entry.kind === 'directory') return ensureDirectory(root, entry.path, directories);
  await ensureDirectory(root, path.posix.dirname(entry.path), directories);
  const target = path.join(root, entry.path);
  if (entry.kind === 'symlink') return symlink(entry.target, target);
  const mode = entry.executable ? 0o755 : 0o644;
  // O_NOFOLLOW: an existing link at this name fails the write instead of redirecting it.
  const handle = await open(target, WRITE_NO_FOLLOW, mode);
  try {
    await handle.writeFile(await readEntry(zip, entry.entry));
    await handle.chmod(mode); // the umask, or an existing file, must not decide the mode
  } finally {
    await handle.close();
  }
}

/** Creates `relative` beneath `root` one level at a time, refusing to pass through a link. */
async function ensureDirectory(
  root: string,
  relative: string,
  directories: Set<string>,
): Promise<void> {
  let current = '';
  for (const segment of relative.split('/').filter((part) => part !== '' && part !== '.')) {
    current = current === '' ? segment : `${current}/${segment}`;
    if (directories.has(current)) continue;
    const absolute = path.join(root, current);
    await mkdir(absolute, { mode: 0o755 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    const stats = await lstat(absolute);
    if (!stats.isDirectory()) {
      const what = stats.isSymbolicLink() ? 'a symbolic link' : 'not a directory';
      throw new UnsafeArtifactPathError(`cannot extract into '${current}': it is ${what}`);
    }
    directories.add(current);
  }
}
