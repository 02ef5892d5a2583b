import { lchown, readdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * Gives `dir` and everything under it to `uid`:`gid`. Never follows a symbolic link: the tree
 * was written by earlier actions, and a link to /etc/shadow must not hand that file over.
 * Call it only while no process of the workspace runs, or a directory could be swapped for a
 * link between the listing and the change.
 */
export async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  // Each await is a round trip through libuv's thread pool, on the path to the action's first
  // instruction: what does not depend on another call is asked at the same time.
  const [entries] = await Promise.all([
    readdir(dir, { withFileTypes: true }),
    lchown(dir, uid, gid),
  ]);
  // Files of one directory in parallel, directories one after another: at most one open
  // directory handle per level, however wide the tree (node_modules).
  const files = entries.filter((entry) => !entry.isDirectory());
  const directories = entries.filter((entry) => entry.isDirectory());
  await Promise.all([
    ...files.map((entry) => lchown(path.join(dir, entry.name), uid, gid)),
    (async () => {
      for (const entry of directories) await chownTree(path.join(dir, entry.name), uid, gid);
    })(),
  ]);
}
