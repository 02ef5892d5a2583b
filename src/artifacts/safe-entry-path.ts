/**
 * Rules that keep an extracted artifact inside its destination: no zip-slip, no absolute names,
 * no symbolic link that resolves outside. They look at names only, so every entry of an archive
 * is checked before anything is written.
 */
import { UnsafeArtifactPathError } from './artifact-errors.js';

/** The entry name as a clean relative path ('a/b'), or throws if it could leave its directory. */
export function safeEntryPath(name: string): string {
  if (name.includes('\0') || name.includes('\\')) {
    throw new UnsafeArtifactPathError(`zip entry '${name}' has a forbidden character`);
  }
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) {
    throw new UnsafeArtifactPathError(`zip entry '${name}' is an absolute path`);
  }
  const segments = name.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) {
    throw new UnsafeArtifactPathError(`zip entry '${name}' would escape the destination`);
  }
  if (segments.length === 0) {
    throw new UnsafeArtifactPathError(`zip entry '${name}' names no file`);
  }
  return segments.join('/');
}

/**
 * Throws unless the link at `entryPath` (a safeEntryPath result) pointing at `target` stays
 * inside the destination. '..' is allowed only as a leading run: a '..' after a name that is
 * itself a link would climb from wherever that link points, which names alone cannot bound.
 */
export function checkSymlinkTarget(entryPath: string, target: string): void {
  const refuse = (why: string) =>
    new UnsafeArtifactPathError(`symbolic link '${entryPath}' -> '${target}' ${why}`);
  if (target === '' || target.includes('\0') || target.includes('\\')) {
    throw refuse('has an empty or forbidden target');
  }
  if (target.startsWith('/') || /^[A-Za-z]:/.test(target)) {
    throw refuse('points to an absolute path');
  }
  const segments = target.split('/').filter((segment) => segment !== '' && segment !== '.');
  const climbs = segments.findIndex((segment) => segment !== '..');
  const leadingUps = climbs === -1 ? segments.length : climbs;
  if (segments.slice(leadingUps).includes('..')) {
    throw refuse("uses '..' after a name");
  }
  const depth = entryPath.split('/').length - 1;
  if (leadingUps > depth) throw refuse('points outside the destination');
}
