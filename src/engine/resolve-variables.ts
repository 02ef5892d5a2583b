/**
 * Variable references, as CodePipeline resolves them just before an action starts:
 * `#{codepipeline.PipelineExecutionId}`, `#{variables.name}` (pipeline variables, V2) and
 * `#{Namespace.Key}` (output variables of an earlier action with that namespace). Names are
 * case-sensitive. A reference that cannot be resolved fails the action rather than passing
 * the literal text on, because a half-resolved command line is worse than none.
 */
import type { ExecutionState } from './execution-state.js';

const REFERENCE = /#\{([A-Za-z0-9@\-_]+)\.([A-Za-z0-9@\-_.]+)\}/g;

export class UnresolvedVariableError extends Error {}

/** The values each namespace offers at this point of the execution. */
export function availableVariables(state: ExecutionState): Map<string, Record<string, string>> {
  const namespaces = new Map<string, Record<string, string>>([
    ['codepipeline', { PipelineExecutionId: state.executionId, PipelineName: state.pipelineName }],
    ['variables', state.variables],
  ]);
  const namespaceOf = new Map<string, string>();
  for (const stage of state.declaration.stages) {
    for (const action of stage.actions) {
      if (action.namespace) namespaceOf.set(`${stage.name}/${action.name}`, action.namespace);
    }
  }
  for (const stage of state.stages) {
    for (const run of stage.actions) {
      const namespace = namespaceOf.get(`${run.stageName}/${run.actionName}`);
      if (namespace && run.status === 'Succeeded') {
        namespaces.set(namespace, run.outputVariables ?? {});
      }
    }
  }
  return namespaces;
}

/** Replaces every reference in `text`; throws UnresolvedVariableError naming the first miss. */
export function resolveText(text: string, namespaces: Map<string, Record<string, string>>): string {
  return text.replace(REFERENCE, (whole, namespace: string, key: string) => {
    const values = namespaces.get(namespace);
    const value = values ? values[key] : undefined;
    if (value === undefined) {
      throw new UnresolvedVariableError(
        values
          ? `Variable ${whole} cannot be resolved: namespace '${namespace}' has no variable '${key}'.`
          : `Variable ${whole} cannot be resolved: no action that has run declares namespace '${namespace}'.`,
      );
    }
    return value;
  });
}

/** Resolves every value of a string map. */
export function resolveMap(
  values: Record<string, string>,
  namespaces: Map<string, Record<string, string>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key, resolveText(value, namespaces)]),
  );
}
