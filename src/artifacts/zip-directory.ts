/**
 * Builds deterministic zips: entries sorted by name, a fixed timestamp, and modes reduced to
 * 0644 or 0755 (as git does), so the same files give the same bytes and the same SHA-256 on any
 * machine, whatever its umask, clock or time zone.
 */
import { readFile } from 'node:fs/promises';
import { ZipFile } from 'yazl';
import type { PutDirectoryOptions } from './artifact-store.js';
import { collectArtifactFiles, type ArtifactFile } from './collect-artifact-files.js';

const REGULAR_FILE = 0o100000;

/** Zips the files of `dir` that `options` select (see collectArtifactFiles). */
export async function zipDirectory(dir: string, options?: PutDirectoryOptions): Promise<Buffer> {
  return zipFiles(await collectArtifactFiles(dir, options));
}

/** Zips `files` in the order given, deterministically. Holds the whole zip in memory. */
export async function zipFiles(files: readonly ArtifactFile[]): Promise<Buffer> {
  const zip = new ZipFile();
  // DOS timestamps are local time and yazl reads the Date's local fields, so the Date is built
  // from local fields on every call (the zone may have changed since start-up): the stored
  // value is 1980-01-01 12:00 in every zone. Noon avoids any midnight daylight-saving gap.
  const fixedMtime = new Date(1980, 0, 1, 12, 0, 0);
  for (const file of files) {
    zip.addBuffer(await readFile(file.sourcePath), file.entryName, {
      mtime: fixedMtime,
      // Without this yazl adds an extended-timestamp field, a second clock to pin down.
      forceDosTimestamp: true,
      mode: REGULAR_FILE | (file.executable ? 0o755 : 0o644),
      compress: true,
    });
  }
  const bytes = collect(zip.outputStream);
  zip.end();
  return bytes;
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
