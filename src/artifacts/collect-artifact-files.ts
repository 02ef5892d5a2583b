/**
 * Picks the files of an output artifact the way CodeBuild's buildspec `artifacts` and the
 * Commands action's `outputArtifacts[].files` do: glob patterns (`**\/*`, `dist/**\/*`, `*.txt`)
 * relative to a base directory, dot files included, optionally flattened.
 */
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import type { PutDirectoryOptions } from './artifact-store.js';
import { NoMatchingArtifactPathsError, UnsafeArtifactPathError } from './artifact-errors.js';
import { isInside } from './is-inside.js';

/** One file to put in the zip. */
export interface ArtifactFile {
  /** Absolute path of the file on disk. */
  sourcePath: string;
  /** Its name inside the zip, '/'-separated. */
  entryName: string;
  executable: boolean;
}

const ALL_FILES = ['**/*'];

/** The regular files of `dir` that `options` select, sorted by entry name. */
export async function collectArtifactFiles(
  dir: string,
  options: PutDirectoryOptions = {},
): Promise<ArtifactFile[]> {
  const patterns = options.files ?? ALL_FILES;
  patterns.forEach(refuseEscapingPath);
  const baseDirectory = options.baseDirectory ?? '.';
  refuseEscapingPath(baseDirectory);
  const base = await resolveBase(dir, baseDirectory, patterns);
  // Symbolic links are neither followed nor stored, so nothing outside `dir` (a link to
  // /etc/passwd, or to another pipeline's workspace) can ever be zipped.
  const matches = await glob([...patterns], {
    cwd: base,
    dot: true,
    followSymbolicLinks: false,
    onlyFiles: true,
  });
  const files: ArtifactFile[] = [];
  for (const match of matches) {
    const sourcePath = path.join(base, match);
    if (!isInside(base, sourcePath)) {
      throw new UnsafeArtifactPathError(`artifact path '${match}' is outside ${baseDirectory}`);
    }
    const stats = await lstat(sourcePath);
    if (!stats.isFile()) continue;
    const entryName = options.discardPaths === true ? path.posix.basename(match) : match;
    files.push({ sourcePath, entryName, executable: (stats.mode & 0o111) !== 0 });
  }
  if (files.length === 0) throw new NoMatchingArtifactPathsError(patterns, baseDirectory);
  return sortUnique(files);
}

/** The real path of `baseDirectory` inside `dir`, refusing one that is a link leading out. */
async function resolveBase(
  dir: string,
  baseDirectory: string,
  patterns: readonly string[],
): Promise<string> {
  const root = await realpath(dir);
  let base: string;
  try {
    base = await realpath(path.resolve(root, baseDirectory));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new NoMatchingArtifactPathsError(patterns, baseDirectory);
  }
  if (!isInside(root, base)) {
    throw new UnsafeArtifactPathError(`base directory '${baseDirectory}' leads outside ${dir}`);
  }
  return base;
}

/** Refuses absolute paths and '..' segments in a pattern or base directory. */
function refuseEscapingPath(pattern: string): void {
  const absolute = pattern.startsWith('/') || /^[A-Za-z]:/.test(pattern);
  if (absolute || pattern.split(/[\\/]/).includes('..')) {
    throw new UnsafeArtifactPathError(`artifact path '${pattern}' must stay inside the directory`);
  }
}

/** Sorts by entry name in code-unit order (locale-free, so the zip is the same everywhere). */
function sortUnique(files: ArtifactFile[]): ArtifactFile[] {
  files.sort((a, b) => (a.entryName < b.entryName ? -1 : a.entryName > b.entryName ? 1 : 0));
  for (let i = 1; i < files.length; i++) {
    const [previous, current] = [files[i - 1]!, files[i]!];
    if (previous.entryName === current.entryName) {
      // Only discardPaths can do this; silently keeping one of the two would lose a file.
      throw new UnsafeArtifactPathError(
        `discard-paths gives '${previous.sourcePath}' and '${current.sourcePath}' ` +
          `the same name '${current.entryName}'`,
      );
    }
  }
  return files;
}
