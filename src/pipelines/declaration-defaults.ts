/**
 * CodePipeline returns a declaration with its defaults filled in: runOrder 1, empty artifact
 * lists, pipelineType V1 and executionMode SUPERSEDED. Everything the user sent comes back
 * unchanged; only absent members gain these defaults.
 */
import type { ActionDeclaration, PipelineDeclaration } from './declaration.js';

/** A deep copy of `decl` with CodePipeline's defaults filled in and `version` set. */
export function withDeclarationDefaults(
  decl: PipelineDeclaration,
  version: number,
): PipelineDeclaration {
  const copy = structuredClone(decl);
  copy.version = version;
  copy.pipelineType ??= 'V1';
  copy.executionMode ??= 'SUPERSEDED';
  for (const stage of copy.stages) {
    stage.actions = stage.actions.map(withActionDefaults);
  }
  return copy;
}

function withActionDefaults(action: ActionDeclaration): ActionDeclaration {
  return {
    ...action,
    runOrder: action.runOrder ?? 1,
    configuration: action.configuration ?? {},
    inputArtifacts: action.inputArtifacts ?? [],
    outputArtifacts: action.outputArtifacts ?? [],
  };
}
