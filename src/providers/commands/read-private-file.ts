import { constants } from 'node:fs';
import { lstat, open, realpath } from 'node:fs/promises';
import path from 'node:path';

/**
 * Reads a file the sandboxed commands could have tampered with: the server may be root, and a
 * link planted in place of the file, or of its directory, must not make it read a host file.
 * Returns undefined when the file does not exist, and refuses one larger than `maxBytes`.
 */
export async function readPrivateFile(
  workspaceDir: string,
  privateDirName: string,
  fileName: string,
  maxBytes: number,
): Promise<Buffer | undefined> {
  const dir = path.join(workspaceDir, privateDirName);
  const dirStat = await lstat(dir).catch(() => undefined);
  if (!dirStat?.isDirectory()) return undefined;
  // No component between the workspace and the file may have become a link.
  const expected = path.join(await realpath(workspaceDir), privateDirName);
  if ((await realpath(dir)) !== expected) return undefined;
  let handle;
  try {
    handle = await open(path.join(dir, fileName), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return undefined;
    if (stat.size > maxBytes) throw new RangeError(`${fileName} is ${stat.size} bytes`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
