/** The IAM roles a declaration names: the pipeline's role and any action's own role. */
import type { PipelineDeclaration } from './declaration.js';

/** Each role ARN a declaration names, once. */
export function declaredRoles(decl: PipelineDeclaration): string[] {
  const roles = new Set<string>([decl.roleArn]);
  for (const stage of decl.stages) {
    for (const action of stage.actions) {
      if (action.roleArn) roles.add(action.roleArn);
    }
  }
  return [...roles];
}
