/**
 * Extracts a zip into a directory. Every entry is checked first (planZipExtraction), so a
 * hostile archive writes nothing; while writing, no file or directory is ever created through a
 * symbolic link that was already in the destination.
 *
 * The writes are synchronous calls: an artifact is mostly small files, for which each awaited
 * call (a thread-pool round trip and a turn of the event loop) cost ten times the system call
 * itself, on the critical path of every action. The event loop is handed back after every
 * SLICE_MS of work, and a file larger than SYNC_FILE_BYTES is written asynchronously, so a large
 * artifact does not hold up the server's other work.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { UnsafeArtifactPathError } from './artifact-errors.js';
import {
  planZipExtraction,
  readEntry,
  type OpenedZip,
  type PlannedEntry,
} from './plan-zip-extraction.js';

const WRITE_NO_FOLLOW =
  constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
/** Work done between two turns of the event loop. */
const SLICE_MS = 2;
/** Files up to this size are written with one synchronous call. */
const SYNC_FILE_BYTES = 1024 * 1024;

/** Extracts `zipBytes` into `destDir` (created if needed), refusing entries that would escape. */
export async function extractZip(zipBytes: Buffer, destDir: string): Promise<void> {
  const { entries, ...opened } = await planZipExtraction(zipBytes);
  try {
    mkdirSync(destDir, { recursive: true });
    const root = realpathSync(destDir);
    const directories = new Set<string>();
    // Links last: until then nothing in the archive can redirect a write.
    const ordered = [
      ...entries.filter((entry) => entry.kind !== 'symlink'),
      ...entries.filter((entry) => entry.kind === 'symlink'),
    ];
    let sliceStart = performance.now();
    for (const entry of ordered) {
      await writeEntry(root, entry, directories, opened);
      if (performance.now() - sliceStart >= SLICE_MS) {
        await nextTurn();
        sliceStart = performance.now();
      }
    }
  } finally {
    opened.zip.close();
  }
}

async function writeEntry(
  root: string,
  entry: PlannedEntry,
  directories: Set<string>,
  opened: OpenedZip,
): Promise<void> {
  if (entry.kind === 'directory') return ensureDirectory(root, entry.path, directories);
  ensureDirectory(root, path.posix.dirname(entry.path), directories);
  const target = path.join(root, entry.path);
  if (entry.kind === 'symlink') return symlinkSync(entry.target, target);
  const bytes = await readEntry(opened, entry.entry);
  const mode = entry.executable ? 0o755 : 0o644;
  if (bytes.length > SYNC_FILE_BYTES) return writeLargeFile(target, bytes, mode);
  // O_NOFOLLOW: an existing link at this name fails the write instead of redirecting it.
  const fd = openSync(target, WRITE_NO_FOLLOW, mode);
  try {
    writeFileSync(fd, bytes);
    fchmodSync(fd, mode); // the umask, or an existing file, must not decide the mode
  } finally {
    closeSync(fd);
  }
}

/** writeEntry's calls, awaited: a large file's write would hold the event loop too long. */
async function writeLargeFile(target: string, bytes: Buffer, mode: number): Promise<void> {
  const handle = await open(target, WRITE_NO_FOLLOW, mode);
  try {
    await handle.writeFile(bytes);
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
}

/** Creates `relative` beneath `root` one level at a time, refusing to pass through a link. */
function ensureDirectory(root: string, relative: string, directories: Set<string>): void {
  let current = '';
  for (const segment of relative.split('/').filter((part) => part !== '' && part !== '.')) {
    current = current === '' ? segment : `${current}/${segment}`;
    if (directories.has(current)) continue;
    const absolute = path.join(root, current);
    try {
      mkdirSync(absolute, { mode: 0o755 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const stats = lstatSync(absolute);
    if (!stats.isDirectory()) {
      const what = stats.isSymbolicLink() ? 'a symbolic link' : 'not a directory';
      throw new UnsafeArtifactPathError(`cannot extract into '${current}': it is ${what}`);
    }
    directories.add(current);
  }
}
