/**
 * Where a buildspec run stopped, read back from the script's private files, and the summary
 * CodePipeline shows for it.
 */
import type { SandboxResult } from '../../sandbox/sandbox-spec.js';
import type { Buildspec, PhaseName } from './buildspec.js';
import { PHASE_NAMES } from './buildspec.js';
import type { CommandBlock } from './buildspec-script.js';
import { phaseLabel } from './buildspec-script.js';

/** One command of the buildspec, located by phase, block and position. */
export interface CommandLocation {
  phase: PhaseName;
  block: CommandBlock;
  index: number;
  command: string;
}

/** Resolves `<phase> <block> <index>` as the script writes it; undefined if it names nothing. */
export function locateCommand(
  buildspec: Buildspec,
  ref: string | undefined,
): CommandLocation | undefined {
  const [phase, block, position] = (ref ?? '').trim().split(' ');
  const phaseName = PHASE_NAMES.find((name) => name === phase);
  if (phaseName === undefined || (block !== 'commands' && block !== 'finally')) return undefined;
  const index = Number(position);
  const command = buildspec.phases[phaseName]?.[block][index];
  if (!Number.isInteger(index) || command === undefined) return undefined;
  return { phase: phaseName, block, index, command };
}

/** CodePipeline's wording for a CodeBuild action whose command failed. */
export function commandFailureSummary(at: CommandLocation, reason: string): string {
  return (
    `Build terminated with state: FAILED. Phase ${phaseLabel(at.phase)}, ` +
    `Code: COMMAND_EXECUTION_ERROR, Message: Error while executing command: ${at.command}. ` +
    `Reason: ${reason}`
  );
}

/** The summary for a run that did not reach the end of its script. */
export function interruptedSummary(
  result: SandboxResult,
  timeoutMs: number,
  at: CommandLocation | undefined,
): string {
  const where = at ? ` in phase ${phaseLabel(at.phase)} while running command '${at.command}'` : '';
  if (result.timedOut) return `Build timed out after ${timeoutMs} ms${where}.`;
  if (result.aborted) return `Build was stopped${where}.`;
  const how =
    result.exitCode === null ? `by signal ${result.signal}` : `with exit status ${result.exitCode}`;
  if (!at) return `The build could not run: its shell ended ${how}; see the log.`;
  return commandFailureSummary(
    at,
    `the command ended the shell ${how}, so no later command or phase ran`,
  );
}
