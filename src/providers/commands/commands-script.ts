/**
 * The bash script that runs a Commands action: every command in one shell session, in order,
 * stopping at the first that fails, then the requested variables written out NUL-separated.
 */

/** A name bash can hold as a variable; only those can be read back as output variables. */
export const SHELL_VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Files the script writes into its private directory. */
export const SCRIPT_FILES = {
  script: 'commands.sh',
  /** Index of the command running last, so a failure can be named even after `exit`. */
  current: 'current-command',
  /** name NUL value NUL ..., written only when every command succeeded. */
  variables: 'output-variables',
} as const;

/** `value` as one single-quoted bash word, whatever it contains. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function commandBlock(command: string, index: number): string {
  const quoted = shellQuote(command);
  // eval runs the command in this shell, so `export`, `cd` and functions carry to the next one.
  return [
    `builtin printf '%d' ${index} >| "$__lockstep_dir/${SCRIPT_FILES.current}"`,
    `builtin printf '[Container] Running command %s\\n' ${quoted}`,
    `eval ${quoted}`,
    '__lockstep_status=$?',
    'if [ "$__lockstep_status" -ne 0 ]; then',
    `  builtin printf '[Container] Command did not exit successfully %s exit status %d\\n' ${quoted} "$__lockstep_status"`,
    '  exit "$__lockstep_status"',
    'fi',
  ].join('\n');
}

function exportFunction(outputVariables: string[]): string {
  const writes = outputVariables
    .filter((name) => SHELL_VARIABLE_NAME.test(name))
    .map(
      (name) =>
        `    if [ -n "\${${name}+set}" ]; then builtin printf '%s\\0%s\\0' ${name} "$${name}"; fi`,
    );
  // A trap, so the variables are written even when a command ends the shell with `exit 0`.
  return [
    '__lockstep_export() {',
    '  local __lockstep_exit=$?',
    '  if [ "$__lockstep_exit" -eq 0 ]; then',
    '    {',
    '      :',
    ...writes.map((line) => `  ${line}`),
    `    } >| "$__lockstep_dir/${SCRIPT_FILES.variables}"`,
    '  fi',
    '  exit "$__lockstep_exit"',
    '}',
    'trap __lockstep_export EXIT',
  ].join('\n');
}

/** The script for `commands`, kept in `privateDirName` under the working directory. */
export function renderCommandsScript(
  commands: string[],
  outputVariables: string[],
  privateDirName: string,
): string {
  return [
    '# Written by Lockstep for one Commands action run, and removed when it ends.',
    `__lockstep_dir="$PWD"/${shellQuote(privateDirName)}`,
    'readonly __lockstep_dir',
    // One stream, so the log shows output in the order it was written.
    'exec 2>&1',
    exportFunction(outputVariables),
    ...commands.map(commandBlock),
    '',
  ].join('\n');
}
