import path from 'node:path';
import { SANDBOX_WORKSPACE } from './bubblewrap-args.js';
import { detectBubblewrap } from './detect-bubblewrap.js';

/** LOCKSTEP_SANDBOX=none turns bubblewrap off, for tests of the unisolated path. */
export function sandboxTurnedOff(): boolean {
  return process.env.LOCKSTEP_SANDBOX === 'none';
}

/**
 * The path at which a process run by `runSandboxed` now will see `workspaceDir`: `/workspace`
 * under bubblewrap, its host path otherwise. For values put into the process's environment.
 */
export async function sandboxWorkspacePath(workspaceDir: string): Promise<string> {
  if (!sandboxTurnedOff() && (await detectBubblewrap()).available) return SANDBOX_WORKSPACE;
  return path.resolve(workspaceDir);
}
