/**
 * Secret configuration properties (an action type's properties with `secret: true`, such as the
 * GitHub v1 OAuthToken) never leave the server in a declaration: GetPipeline shows them as a
 * mask, and an UpdatePipeline that sends the mask back keeps the stored value.
 */
import type { ActionTypeEntry } from './action-type-catalogue.js';
import { sameActionTypeId } from './action-type-catalogue.js';
import type { ActionDeclaration, ActionTypeId, PipelineDeclaration } from './declaration.js';

/** What CodePipeline shows in place of a secret configuration value. */
export const SECRET_MASK = '****';

type FindActionType = (id: ActionTypeId) => ActionTypeEntry | undefined;

export function secretKeys(action: ActionDeclaration, findActionType: FindActionType): string[] {
  const entry = findActionType(action.actionTypeId);
  return (entry?.actionType.actionConfigurationProperties ?? [])
    .filter((property) => property.secret)
    .map((property) => property.name);
}

/** A deep copy of `decl` with every secret configuration value replaced by the mask. */
export function maskSecretConfiguration(
  decl: PipelineDeclaration,
  findActionType: FindActionType,
): PipelineDeclaration {
  const copy = structuredClone(decl);
  for (const action of copy.stages.flatMap((stage) => stage.actions)) {
    const configuration = action.configuration;
    if (configuration === undefined) continue;
    for (const key of secretKeys(action, findActionType)) {
      if (Object.hasOwn(configuration, key)) configuration[key] = SECRET_MASK;
    }
  }
  return copy;
}

/**
 * A deep copy of `newDecl` where each secret value sent back as the mask takes the value stored
 * for the same stage, action and key in `previousDecl`.
 */
export function restoreMaskedSecrets(
  newDecl: PipelineDeclaration,
  previousDecl: PipelineDeclaration,
  findActionType: FindActionType,
): PipelineDeclaration {
  const copy = structuredClone(newDecl);
  for (const stage of copy.stages) {
    const previousStage = previousDecl.stages.find((other) => other.name === stage.name);
    for (const action of stage.actions) {
      const previous = previousStage?.actions.find((other) => other.name === action.name);
      // A secret only carries over to the same action type: otherwise an update could hand a
      // stored credential to a different provider under a matching key name.
      if (previous === undefined || !sameActionTypeId(previous.actionTypeId, action.actionTypeId)) {
        continue;
      }
      restoreAction(action, previous, secretKeys(action, findActionType));
    }
  }
  return copy;
}

function restoreAction(action: ActionDeclaration, previous: ActionDeclaration, keys: string[]) {
  const configuration = action.configuration;
  const stored = previous.configuration;
  if (configuration === undefined || stored === undefined) return;
  for (const key of keys) {
    const value = stored[key];
    if (configuration[key] === SECRET_MASK && value !== undefined) configuration[key] = value;
  }
}
