/**
 * The action types a declaration may use: CodePipeline's built-in catalogue (what Lockstep can
 * run, and what it accepts and reports as unavailable at run time), plus custom action types
 * once they are registered (issue B).
 */
import { InvalidNextTokenException } from '../errors/codepipeline-errors.js';
import { builtInActionTypes, type ActionTypeEntry } from './action-type-catalogue.js';
import type { ActionOwner, ActionTypeId } from './declaration.js';

export class ActionTypeService {
  private readonly byKey = new Map<string, ActionTypeEntry>(
    builtInActionTypes().map((entry) => [actionTypeKey(entry.actionType.id), entry]),
  );

  /** The action type with this id, or undefined. */
  find = (id: ActionTypeId): ActionTypeEntry | undefined => this.byKey.get(actionTypeKey(id));

  /** ListActionTypes: every type, optionally of one owner, in a single page. */
  list(input: { actionOwnerFilter?: ActionOwner; nextToken?: string }) {
    // The catalogue fits one page, so no token is ever issued; one sent back is not ours.
    if (input.nextToken !== undefined) {
      throw new InvalidNextTokenException('The next token is not valid for this request.');
    }
    const owner = input.actionOwnerFilter;
    const entries = [...this.byKey.values()].filter(
      (e) => !owner || e.actionType.id.owner === owner,
    );
    return Promise.resolve({ actionTypes: entries.map((e) => e.actionType) });
  }
}

/** The unique key of an action type id. */
export function actionTypeKey(id: ActionTypeId): string {
  return `${id.category}/${id.owner}/${id.provider}/${id.version}`;
}
