import path from 'node:path';

/** Whether `candidate` is `root` or lies beneath it, comparing resolved paths lexically. */
export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(path.resolve(root), path.resolve(candidate));
  if (relative === '') return true;
  // A name such as '..cache' is inside; only a leading '..' segment leaves.
  return relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}
