/**
 * Runs a buildspec's phases in the sandbox and reads back how they went: which phase and
 * command failed first, or the exported variables of a build that succeeded.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runSandboxed } from '../../sandbox/run-sandboxed.js';
import type { ActionLogCipher } from '../../logs/sealed-log.js';
import type { Redactor } from '../../secrets/redaction.js';
import type { SandboxIsolation, SandboxResult } from '../../sandbox/sandbox-spec.js';
import {
  checkOutputVariablesSize,
  OUTPUT_VARIABLES_MAX_BYTES,
  parseOutputVariables,
} from '../commands/output-variables.js';
import { readPrivateFile } from '../commands/read-private-file.js';
import type { Buildspec, PhaseName } from './buildspec.js';
import { BUILD_SCRIPT_FILES, renderBuildspecScript } from './buildspec-script.js';
import type { CommandLocation } from './build-failure.js';
import { commandFailureSummary, interruptedSummary, locateCommand } from './build-failure.js';

/** One run of a buildspec. */
export interface BuildspecRunInput {
  workspaceDir: string;
  /** The primary source directory, relative to the workspace: the commands' working directory. */
  sourceDir: string;
  buildspec: Buildspec;
  /** The whole environment the commands see; the server's own is never added. */
  environment: Record<string, string>;
  logFile: string;
  /** Seals the log at rest; absent, it is written in clear. */
  logCipher?: ActionLogCipher;
  /** Hides secret values in the log (the credential shapes are scrubbed without it). */
  redactor?: Redactor;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** How the run ended. */
export interface BuildspecRunResult {
  succeeded: boolean;
  failedPhase?: PhaseName;
  failedCommand?: string;
  outputVariables: Record<string, string>;
  summary: string;
  isolation: SandboxIsolation;
  warning?: string;
}

/** Reads one of the script's small files; the commands could have replaced it with anything. */
async function readState(input: BuildspecRunInput, dirName: string, file: string) {
  try {
    const data = await readPrivateFile(input.workspaceDir, dirName, file, 256);
    return data?.toString('utf8');
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

async function collectVariables(input: BuildspecRunInput, dirName: string) {
  const maxFileBytes = OUTPUT_VARIABLES_MAX_BYTES + 16 * 1024;
  try {
    const file = BUILD_SCRIPT_FILES.variables;
    const data = await readPrivateFile(input.workspaceDir, dirName, file, maxFileBytes);
    return checkOutputVariablesSize(data === undefined ? {} : parseOutputVariables(data));
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const message = `The exported variables exceed CodePipeline's limit of ${OUTPUT_VARIABLES_MAX_BYTES} bytes for one action.`;
    return { ok: false as const, message };
  }
}

function failed(summary: string, at?: CommandLocation) {
  return {
    succeeded: false,
    ...(at ? { failedPhase: at.phase, failedCommand: at.command } : {}),
    outputVariables: {},
    summary,
  };
}

function notExported(buildspec: Buildspec, variables: Record<string, string>): string {
  const unset = buildspec.exportedVariables.filter((name) => !Object.hasOwn(variables, name));
  return unset.length === 0 ? '' : ` Not set, so not exported: ${unset.join(', ')}.`;
}

async function interpret(input: BuildspecRunInput, dirName: string, result: SandboxResult) {
  const state = (file: string) => readState(input, dirName, file);
  const [failureRef, currentRef, done] = await Promise.all(
    [BUILD_SCRIPT_FILES.failure, BUILD_SCRIPT_FILES.current, BUILD_SCRIPT_FILES.done].map(state),
  );
  const firstFailure = locateCommand(input.buildspec, failureRef);
  // The commands could have rewritten the file; only a number is repeated in the summary.
  const status = Number.parseInt(failureRef?.trim().split(' ')[3] ?? '', 10);
  // A failure already recorded is the cause, even if the run was cut short later.
  if (firstFailure)
    return failed(
      commandFailureSummary(
        firstFailure,
        `exit status ${Number.isNaN(status) ? 'unknown' : status}`,
      ),
      firstFailure,
    );
  const finished = done === 'done' && result.exitCode === 0 && !result.timedOut && !result.aborted;
  if (!finished) {
    const current = locateCommand(input.buildspec, currentRef);
    return failed(interruptedSummary(result, input.timeoutMs, current), current);
  }
  const collected = await collectVariables(input, dirName);
  if (!collected.ok) return failed(collected.message);
  const summary = `Build succeeded.${notExported(input.buildspec, collected.variables)}`;
  return { succeeded: true, outputVariables: collected.variables, summary };
}

/** Runs `input.buildspec` in the sandbox, every phase in one bash session. */
export async function runBuildspec(input: BuildspecRunInput): Promise<BuildspecRunResult> {
  // A fresh name each run, outside the source directory so no artifact glob can pick it up.
  const dirName = `.lockstep-codebuild-${randomBytes(8).toString('hex')}`;
  const privateDir = path.join(input.workspaceDir, dirName);
  await mkdir(privateDir, { mode: 0o700 });
  try {
    const script = renderBuildspecScript(input.buildspec);
    await writeFile(path.join(privateDir, BUILD_SCRIPT_FILES.script), script, { mode: 0o600 });
    const result = await runSandboxed({
      workspaceDir: input.workspaceDir,
      cwd: input.sourceDir,
      argv: ['/bin/bash', '--noprofile', '--norc', `../${dirName}/${BUILD_SCRIPT_FILES.script}`],
      env: input.environment,
      logFile: input.logFile,
      ...(input.logCipher ? { logCipher: input.logCipher } : {}),
      redactor: input.redactor,
      timeoutMs: input.timeoutMs,
      ...(input.signal ? { signal: input.signal } : {}),
    });
    const outcome = await interpret(input, dirName, result);
    return {
      ...outcome,
      isolation: result.isolation,
      ...(result.warning !== undefined ? { warning: result.warning } : {}),
    };
  } finally {
    await rm(privateDir, { recursive: true, force: true });
  }
}
