/**
 * The bash script that runs a buildspec's phases in one shell session, so `export`, `cd` and
 * functions carry from one command and phase to the next, as in CodeBuild. It logs as
 * CodeBuild's container agent does and leaves small files saying how the run went.
 */
import { shellQuote } from '../commands/commands-script.js';
import type { Buildspec, BuildspecPhase, PhaseName } from './buildspec.js';
import { PHASE_NAMES } from './buildspec.js';

/** Files the script writes into its private directory. */
export const BUILD_SCRIPT_FILES = {
  script: 'build.sh',
  /** `<phase> <block> <index>` of the command running last, to name it after a timeout or `exit`. */
  current: 'current-command',
  /** `<phase> <block> <index> <exit status>` of the first command that failed. */
  failure: 'first-failure',
  /** Written when the script reaches its end, so an early `exit` can be told apart. */
  done: 'done',
  /** name NUL value NUL ..., written only when the build succeeded. */
  variables: 'exported-variables',
} as const;

/** Which list of a phase a command comes from. */
export type CommandBlock = 'commands' | 'finally';

/** CodeBuild's name for a phase in logs and messages: `PRE_BUILD`. */
export function phaseLabel(phase: PhaseName): string {
  return phase.toUpperCase();
}

const PRELUDE = `
exec 2>&1
__lockstep_next=0
export CODEBUILD_BUILD_SUCCEEDING=1
__lockstep_fail() {
  CODEBUILD_BUILD_SUCCEEDING=0
  if [ "$__lockstep_phase_ok" -eq 1 ]; then
    builtin printf -v __lockstep_reason 'Error while executing command: %s. Reason: exit status %d' "$3" "$2"
  fi
  __lockstep_phase_ok=0
  __lockstep_block_ok=0
  if [ ! -e "$__lockstep_dir/${BUILD_SCRIPT_FILES.failure}" ]; then
    builtin printf '%s %d' "$1" "$2" >| "$__lockstep_dir/${BUILD_SCRIPT_FILES.failure}"
  fi
}`;

function commandBlock(command: string, ref: string): string {
  const quoted = shellQuote(command);
  // eval at the top level (not in a function), so the command sees no stray positional
  // parameters and its `export`s, `cd`s and functions carry to the next command.
  return `if [ "$__lockstep_block_ok" -eq 1 ]; then
  builtin printf '%s' '${ref}' >| "$__lockstep_dir/${BUILD_SCRIPT_FILES.current}"
  builtin printf '[Container] Running command %s\\n' ${quoted}
  eval ${quoted}
  __lockstep_status=$?
  if [ "$__lockstep_status" -ne 0 ]; then
    builtin printf '[Container] Command did not exit successfully %s exit status %d\\n' ${quoted} "$__lockstep_status"
    __lockstep_fail '${ref}' "$__lockstep_status" ${quoted}
  fi
fi`;
}

/**
 * The index of the first phase allowed to run after `phase` failed. CodeBuild's build phase
 * transitions (userguide/view-build-details-phases.html): a failed INSTALL or PRE_BUILD goes
 * straight to FINALIZING, a failed BUILD still runs POST_BUILD. The buildspec reference's
 * `on-failure` overrides that: ABORT ends the build, CONTINUE goes on to the next phase (the
 * build still fails).
 */
function nextPhaseAfterFailure(phase: PhaseName, spec: BuildspecPhase): number | undefined {
  if (spec.onFailure === 'CONTINUE') return undefined;
  if (spec.onFailure === undefined && phase === 'build') return PHASE_NAMES.indexOf('post_build');
  return PHASE_NAMES.length;
}

function phaseBlock(phase: PhaseName, spec: BuildspecPhase): string {
  const label = phaseLabel(phase);
  const index = PHASE_NAMES.indexOf(phase);
  const next = nextPhaseAfterFailure(phase, spec);
  const block = (list: string[], name: CommandBlock) =>
    list.map((command, i) => commandBlock(command, `${phase} ${name} ${i}`));
  return [
    `if [ "$__lockstep_next" -le ${index} ]; then`,
    `builtin printf '[Container] Entering phase ${label}\\n'`,
    '__lockstep_phase_ok=1',
    '__lockstep_block_ok=1',
    ...block(spec.commands, 'commands'),
    // `finally` runs even when a command above failed (buildspec reference, phases/*/finally).
    '__lockstep_block_ok=1',
    ...block(spec.finally, 'finally'),
    'if [ "$__lockstep_phase_ok" -eq 1 ]; then',
    `  builtin printf '[Container] Phase complete: ${label} State: SUCCEEDED\\n'`,
    'else',
    `  builtin printf '[Container] Phase complete: ${label} State: FAILED\\n'`,
    `  builtin printf '[Container] Phase context status code: COMMAND_EXECUTION_ERROR Message: %s\\n' "$__lockstep_reason"`,
    next === undefined ? '  :' : `  __lockstep_next=${next}`,
    'fi',
    'fi',
  ].join('\n');
}

function exportBlock(names: string[]): string {
  const writes = names.map(
    (name) =>
      `  if [ -n "\${${name}+set}" ]; then builtin printf '%s\\0%s\\0' ${name} "$${name}"; fi`,
  );
  return [
    `if [ ! -e "$__lockstep_dir/${BUILD_SCRIPT_FILES.failure}" ]; then`,
    '{',
    '  :',
    ...writes,
    `} >| "$__lockstep_dir/${BUILD_SCRIPT_FILES.variables}"`,
    'fi',
  ].join('\n');
}

/** The script for `buildspec`; its own directory is where it writes its private files. */
export function renderBuildspecScript(buildspec: Buildspec): string {
  const phases = PHASE_NAMES.flatMap((phase) => {
    const spec = buildspec.phases[phase];
    return spec ? [phaseBlock(phase, spec)] : [];
  });
  return [
    '# Written by Lockstep for one CodeBuild action run, and removed when it ends.',
    // Resolved before any command runs, so a later `cd` cannot move it.
    '__lockstep_dir=$(builtin cd -- "${BASH_SOURCE%/*}" && builtin pwd)',
    'readonly __lockstep_dir',
    PRELUDE.trim(),
    ...phases,
    // Exported variables take their values as the post_build phase ends (buildspec reference).
    exportBlock(buildspec.exportedVariables),
    `builtin printf 'done' >| "$__lockstep_dir/${BUILD_SCRIPT_FILES.done}"`,
    'exit 0',
    '',
  ].join('\n');
}
