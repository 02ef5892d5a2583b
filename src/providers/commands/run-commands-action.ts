import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runSandboxed } from '../../sandbox/run-sandboxed.js';
import type { ActionLogCipher } from '../../logs/sealed-log.js';
import type { Redactor } from '../../secrets/redaction.js';
import type { SandboxIsolation, SandboxResult } from '../../sandbox/sandbox-spec.js';
import { renderCommandsScript, SCRIPT_FILES, SHELL_VARIABLE_NAME } from './commands-script.js';
import {
  checkOutputVariablesSize,
  OUTPUT_VARIABLES_MAX_BYTES,
  parseOutputVariables,
  type OutputVariablesOutcome,
} from './output-variables.js';
import { readPrivateFile } from './read-private-file.js';

/** One run of a Commands action (CodePipeline's `Compute/AWS/Commands`). */
export interface CommandsActionInput {
  workspaceDir: string;
  commands: string[];
  /** The whole environment the commands see; the server's own is never added. */
  environment: Record<string, string>;
  /** Names of shell variables to export once every command has succeeded. */
  outputVariables: string[];
  logFile: string;
  /** Seals the log at rest; absent, it is written in clear. */
  logCipher?: ActionLogCipher;
  /** Hides secret values in the log (the credential shapes are scrubbed without it). */
  redactor?: Redactor;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called once the commands' process has been started. */
  onLaunched?: () => void;
  /**
   * True when the caller removes the whole workspace right after the run and reads nothing
   * from it (no output artifacts): the private directory then goes with it, not first.
   */
  workspaceDiscarded?: boolean;
}

/** How a Commands action run ended. */
export interface CommandsActionResult {
  succeeded: boolean;
  exitCode: number | null;
  failedCommand?: string;
  outputVariables: Record<string, string>;
  /** One or two sentences for the action execution's summary. */
  summary: string;
  isolation: SandboxIsolation;
  warning?: string;
}

/** Where the failure happened, and what else the run reported. */
interface RunFacts {
  input: CommandsActionInput;
  result: SandboxResult;
  failedCommand: string | undefined;
  position: string;
}

function failureSummary({ input, result, failedCommand, position }: RunFacts): string {
  const where =
    failedCommand === undefined ? '' : ` while running command '${failedCommand}'${position}`;
  if (result.timedOut) return `The action timed out after ${input.timeoutMs} ms${where}.`;
  if (result.aborted) return `The action was stopped${where}.`;
  const how =
    result.exitCode === null
      ? `was killed by ${result.signal}`
      : `failed with exit code ${result.exitCode}`;
  if (failedCommand === undefined)
    return `The commands could not run: the shell ${how}; see the log.`;
  return `Command '${failedCommand}'${position} ${how}.`;
}

async function lastCommandIndex(
  input: CommandsActionInput,
  dirName: string,
): Promise<number | undefined> {
  const data = await readPrivateFile(input.workspaceDir, dirName, SCRIPT_FILES.current, 64);
  const index = Number(data?.toString('utf8'));
  return Number.isInteger(index) && index >= 0 && index < input.commands.length ? index : undefined;
}

/** Reads back the output variables; a file past the limit is refused unread. */
async function collectVariables(
  input: CommandsActionInput,
  dirName: string,
): Promise<OutputVariablesOutcome> {
  // None asked for: the script writes none, and nothing a command left there is taken.
  if (input.outputVariables.length === 0) return { ok: true, variables: {} };
  // Names and NUL separators add a little to the values; anything far past the limit is refused.
  const maxFileBytes = OUTPUT_VARIABLES_MAX_BYTES + 16 * 1024;
  try {
    const data = await readPrivateFile(
      input.workspaceDir,
      dirName,
      SCRIPT_FILES.variables,
      maxFileBytes,
    );
    return checkOutputVariablesSize(data === undefined ? {} : parseOutputVariables(data));
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return {
      ok: false as const,
      message: `The output variables exceed CodePipeline's limit of ${OUTPUT_VARIABLES_MAX_BYTES} bytes for one action.`,
    };
  }
}

function notExported(input: CommandsActionInput, variables: Record<string, string>): string {
  const missing = input.outputVariables.filter((name) => !Object.hasOwn(variables, name));
  if (missing.length === 0) return '';
  const invalid = missing.filter((name) => !SHELL_VARIABLE_NAME.test(name));
  const unset = missing.filter((name) => SHELL_VARIABLE_NAME.test(name));
  return [
    unset.length > 0 ? ` Not set, so not exported: ${unset.join(', ')}.` : '',
    invalid.length > 0 ? ` Not shell variable names, so not exported: ${invalid.join(', ')}.` : '',
  ].join('');
}

async function interpret(input: CommandsActionInput, dirName: string, result: SandboxResult) {
  const reported = {
    exitCode: result.exitCode,
    isolation: result.isolation,
    ...(result.warning !== undefined ? { warning: result.warning } : {}),
  };
  const ok = result.exitCode === 0 && !result.timedOut && !result.aborted;
  if (!ok) {
    const index = await lastCommandIndex(input, dirName);
    const failedCommand = index === undefined ? undefined : input.commands[index];
    const position = index === undefined ? '' : ` (${index + 1} of ${input.commands.length})`;
    const summary = failureSummary({ input, result, failedCommand, position });
    return {
      succeeded: false,
      ...(failedCommand !== undefined ? { failedCommand } : {}),
      outputVariables: {},
      summary,
      ...reported,
    };
  }
  const collected = await collectVariables(input, dirName);
  if (!collected.ok)
    return { succeeded: false, outputVariables: {}, summary: collected.message, ...reported };
  const count = input.commands.length;
  const summary = `${count === 1 ? 'The command' : `All ${count} commands`} succeeded.${notExported(input, collected.variables)}`;
  return { succeeded: true, outputVariables: collected.variables, summary, ...reported };
}

/** A run's script, written in a private directory of its workspace. */
export interface CommandsScript {
  /** The directory's name in the workspace. */
  dirName: string;
}

/**
 * Writes the script of `commands` into a fresh private directory of `workspaceDir`. Nothing in
 * it depends on the inputs, so a caller may write it while they are being extracted.
 */
export async function writeCommandsScript(
  workspaceDir: string,
  commands: string[],
  outputVariables: string[],
): Promise<CommandsScript> {
  if (commands.length === 0) throw new Error('A Commands action needs at least one command');
  // A fresh name each run: a workspace reused by a later action cannot guess or pre-plant it.
  const dirName = `.lockstep-commands-${randomBytes(8).toString('hex')}`;
  const privateDir = path.join(workspaceDir, dirName);
  await mkdir(privateDir, { mode: 0o700 });
  const script = renderCommandsScript(commands, outputVariables, dirName);
  try {
    await writeFile(path.join(privateDir, SCRIPT_FILES.script), script, { mode: 0o600 });
  } catch (error) {
    await rm(privateDir, { recursive: true, force: true });
    throw error;
  }
  return { dirName };
}

/**
 * Runs a Commands action in the sandbox: the commands in order in one bash session, stopping at
 * the first failure, then the requested variables read back from the shell. `written` is its
 * script when the caller wrote it already (writeCommandsScript with the same commands).
 */
export async function runCommandsAction(
  input: CommandsActionInput,
  written?: CommandsScript,
): Promise<CommandsActionResult> {
  const { dirName } =
    written ??
    (await writeCommandsScript(input.workspaceDir, input.commands, input.outputVariables));
  const privateDir = path.join(input.workspaceDir, dirName);
  try {
    const result = await runSandboxed({
      workspaceDir: input.workspaceDir,
      argv: ['/bin/bash', '--noprofile', '--norc', `${dirName}/${SCRIPT_FILES.script}`],
      env: input.environment,
      logFile: input.logFile,
      ...(input.logCipher ? { logCipher: input.logCipher } : {}),
      redactor: input.redactor,
      timeoutMs: input.timeoutMs,
      ...(input.signal ? { signal: input.signal } : {}),
      ...(input.onLaunched ? { onLaunched: input.onLaunched } : {}),
    });
    return await interpret(input, dirName, result);
  } finally {
    // The script and its files are not part of the action's output artifacts.
    if (!input.workspaceDiscarded) await rm(privateDir, { recursive: true, force: true });
  }
}
