/**
 * Stops a server from startLockstep() and removes its data directory, which holds a live
 * administrator key: a test must not leave credentials lying about in the temp directory.
 */
import { rm } from 'node:fs/promises';
import type { LockstepProcess } from '../../support/lockstep-process.js';

/** Stops `server` (if it started) and deletes its data directory; expects a clean exit. */
export async function stopLockstep(server: LockstepProcess | undefined): Promise<void> {
  if (server === undefined) return;
  const exitCode = await server.stop();
  await rm(server.dataDir, { recursive: true, force: true });
  if (exitCode !== 0) {
    throw new Error(`lockstep exited ${exitCode} on SIGTERM:\n${server.log()}`);
  }
}
