/**
 * Reads a zip's central directory and decides, before a single byte is written, what extracting
 * it would create, refusing the whole archive if any entry would land outside the destination.
 */
import { inflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { UnsafeArtifactPathError } from './artifact-errors.js';
import { checkSymlinkTarget, safeEntryPath } from './safe-entry-path.js';

/** One thing extraction will create, at `path` relative to the destination. */
export type PlannedEntry =
  | { kind: 'directory'; path: string }
  | { kind: 'file'; path: string; executable: boolean; entry: Entry }
  | { kind: 'symlink'; path: string; target: string };

/** An opened archive: yauzl's view of it, and its bytes. */
export interface OpenedZip {
  zip: ZipFile;
  bytes: Buffer;
}

/** An opened archive and what extracting it creates; close `zip` when done. */
export interface ZipExtractionPlan extends OpenedZip {
  entries: PlannedEntry[];
}

const MADE_BY_UNIX = 3;
const FILE_TYPE_MASK = 0o170000;
const TYPE_DIRECTORY = 0o040000;
const TYPE_REGULAR = 0o100000;
const TYPE_SYMLINK = 0o120000;
// Longer than PATH_MAX is no link target; refusing it keeps a hostile entry from being read.
const MAX_LINK_TARGET_BYTES = 4096;
// yauzl's own name checks run first; these are its messages for names that escape.
const YAUZL_UNSAFE_NAME = /^(invalid characters in fileName|absolute path|invalid relative path):/;
/** Entries up to this size are inflated in one synchronous call rather than a zlib stream. */
const INFLATE_IN_ONE_CALL_BYTES = 1024 * 1024;
const STORED = 0;
const DEFLATED = 8;

/** Opens `zipBytes` and plans its extraction, or throws UnsafeArtifactPathError. */
export async function planZipExtraction(zipBytes: Buffer): Promise<ZipExtractionPlan> {
  const zip = await yauzl.fromBufferPromise(zipBytes, { lazyEntries: true });
  const opened = { zip, bytes: zipBytes };
  try {
    const entries: PlannedEntry[] = [];
    for await (const entry of readEntries(zip)) entries.push(await planEntry(opened, entry));
    refuseDuplicatesAndLinkParents(entries);
    return { ...opened, entries };
  } catch (error) {
    zip.close();
    throw error;
  }
}

async function* readEntries(zip: ZipFile): AsyncGenerator<Entry> {
  try {
    yield* zip.eachEntry();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!YAUZL_UNSAFE_NAME.test(message)) throw error;
    throw new UnsafeArtifactPathError(`zip entry refused, ${message}`, { cause: error });
  }
}

async function planEntry(opened: OpenedZip, entry: Entry): Promise<PlannedEntry> {
  const path = safeEntryPath(entry.fileName);
  const mode = entry.versionMadeBy >> 8 === MADE_BY_UNIX ? entry.externalFileAttributes >>> 16 : 0;
  const type = mode & FILE_TYPE_MASK;
  if (entry.fileName.endsWith('/') || type === TYPE_DIRECTORY) return { kind: 'directory', path };
  if (type === TYPE_SYMLINK) {
    if (entry.uncompressedSize > MAX_LINK_TARGET_BYTES) {
      throw new UnsafeArtifactPathError(`symbolic link '${path}' has an over-long target`);
    }
    const target = (await readEntry(opened, entry)).toString('utf8');
    checkSymlinkTarget(path, target);
    return { kind: 'symlink', path, target };
  }
  if (type !== 0 && type !== TYPE_REGULAR) {
    throw new UnsafeArtifactPathError(`zip entry '${path}' is a device, pipe or socket`);
  }
  // Only the executable bit survives: setuid, setgid and sticky bits never come out of an artifact.
  return { kind: 'file', path, executable: (mode & 0o111) !== 0, entry };
}

/**
 * Refuses two entries with one name (tools disagree on which wins) and any entry beneath a link
 * of the same archive (writing through it would land wherever the link points).
 */
function refuseDuplicatesAndLinkParents(entries: readonly PlannedEntry[]): void {
  const seen = new Map<string, PlannedEntry['kind']>();
  for (const entry of entries) {
    const previous = seen.get(entry.path);
    if (previous !== undefined && !(previous === 'directory' && entry.kind === 'directory')) {
      throw new UnsafeArtifactPathError(`zip entry '${entry.path}' appears more than once`);
    }
    seen.set(entry.path, entry.kind);
  }
  for (const entry of entries) {
    const segments = entry.path.split('/');
    for (let depth = 1; depth < segments.length; depth++) {
      const parent = segments.slice(0, depth).join('/');
      if (seen.get(parent) === 'symlink') {
        throw new UnsafeArtifactPathError(
          `zip entry '${entry.path}' lies beneath the symbolic link '${parent}'`,
        );
      }
    }
  }
}

/**
 * The uncompressed bytes of one entry. A small one is inflated in one call, far cheaper than
 * yauzl's stream through zlib's thread pool; yauzl still finds its data and checks that it
 * lies within the archive, and the size check is the one yauzl makes on its stream.
 */
export async function readEntry({ zip, bytes }: OpenedZip, entry: Entry): Promise<Buffer> {
  const plain = !entry.isEncrypted() && [STORED, DEFLATED].includes(entry.compressionMethod);
  if (!plain || entry.uncompressedSize > INFLATE_IN_ONE_CALL_BYTES) return streamEntry(zip, entry);
  const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
  const data = bytes.subarray(fileDataStart, fileDataStart + entry.compressedSize);
  const content = entry.compressionMethod === STORED ? data : inflate(entry, data);
  if (content.length !== entry.uncompressedSize) {
    throw new Error(
      `zip entry '${entry.fileName}' holds ${content.length} bytes, not the ${entry.uncompressedSize} recorded`,
    );
  }
  return content;
}

/** A deflated entry's bytes, never more than its recorded size (a bomb's are never made). */
function inflate(entry: Entry, data: Buffer): Buffer {
  try {
    return inflateRawSync(data, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
  } catch (error) {
    throw new Error(
      `zip entry '${entry.fileName}' does not inflate to the ${entry.uncompressedSize} bytes recorded: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** An entry's bytes through yauzl's stream, which also refuses what it cannot decode. */
async function streamEntry(zip: ZipFile, entry: Entry): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
