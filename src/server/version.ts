/** The running Lockstep version, read once from the package.json above this file. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this file holding package.json. */
export function findPackageRoot(): string {
  // Walk up because this file runs both from src/ (tests) and from dist/src/ (the CLI).
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + import.meta.url);
    dir = parent;
  }
  return dir;
}

export const LOCKSTEP_VERSION: string = (
  JSON.parse(readFileSync(path.join(findPackageRoot(), 'package.json'), 'utf8')) as {
    version: string;
  }
).version;
