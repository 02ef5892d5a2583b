/** CodePipeline's limit on the total size of one action's output variables. */
export const OUTPUT_VARIABLES_MAX_BYTES = 122_880;

/** Output variables as read back, or why they were refused. */
export type OutputVariablesOutcome =
  { ok: true; variables: Record<string, string> } | { ok: false; message: string };

/** Parses `name NUL value NUL ...` as the commands script writes it. */
export function parseOutputVariables(data: Buffer): Record<string, string> {
  const parts = data.toString('utf8').split('\0');
  const variables: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length; i += 2) {
    variables[parts[i] ?? ''] = parts[i + 1] ?? '';
  }
  return variables;
}

/** Size of the variables as CodePipeline counts it: names and values, in UTF-8 bytes. */
function totalBytes(variables: Record<string, string>): number {
  return Object.entries(variables).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value),
    0,
  );
}

/** The variables if they fit CodePipeline's limit, or a message naming the largest. */
export function checkOutputVariablesSize(
  variables: Record<string, string>,
): OutputVariablesOutcome {
  const total = totalBytes(variables);
  if (total <= OUTPUT_VARIABLES_MAX_BYTES) return { ok: true, variables };
  const [largest = ''] = Object.keys(variables).sort(
    (a, b) => Buffer.byteLength(variables[b] ?? '') - Buffer.byteLength(variables[a] ?? ''),
  );
  const largestBytes = Buffer.byteLength(variables[largest] ?? '');
  return {
    ok: false,
    message:
      `The output variables total ${total} bytes, more than CodePipeline's limit of ` +
      `${OUTPUT_VARIABLES_MAX_BYTES} bytes for one action; the largest is '${largest}' ` +
      `(${largestBytes} bytes).`,
  };
}
