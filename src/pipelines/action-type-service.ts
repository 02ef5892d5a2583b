/**
 * The action types a declaration may use: CodePipeline's built-in catalogue (what Lockstep can
 * run, and what it accepts and reports as unavailable at run time), plus the custom action
 * types registered with CreateCustomActionType, which job workers run.
 */
import {
  InvalidNextTokenException,
  LimitExceededException,
} from '../errors/codepipeline-errors.js';
import { ValidationException } from '../errors/lockstep-error.js';
import type { StateStore } from '../store/state-store.js';
import { ActionTypeTakenError } from '../store/state-store.js';
import { builtInActionTypes, type ActionTypeEntry } from './action-type-catalogue.js';
import type { ActionOwner, ActionType, ActionTypeId, Tag } from './declaration.js';
import { checkCustomActionType, type CustomActionTypeInput } from './custom-action-type-rules.js';
import { customActionTypeArn, type AccountScope } from './pipeline-arn.js';
import { checkTagCount, checkTagKeys } from './tag-rules.js';

export type FindActionType = (id: ActionTypeId) => ActionTypeEntry | undefined;

/** CodePipeline's quota of custom action types per account and region. */
const MAX_CUSTOM_ACTION_TYPES = 50;

const BUILT_IN = new Map<string, ActionTypeEntry>(
  builtInActionTypes().map((entry) => [actionTypeKey(entry.actionType.id), entry]),
);

export class ActionTypeService {
  constructor(
    private readonly store: StateStore,
    private readonly scope: AccountScope,
  ) {}

  /** A lookup over the built-in types and the custom types registered right now. */
  async resolver(): Promise<FindActionType> {
    const custom = await this.customEntries();
    const byKey = new Map(BUILT_IN);
    for (const entry of custom) byKey.set(actionTypeKey(entry.actionType.id), entry);
    return (id) => byKey.get(actionTypeKey(id));
  }

  /** ListActionTypes: every type, optionally of one owner, in a single page. */
  async list(input: { actionOwnerFilter?: ActionOwner; nextToken?: string }) {
    // Built-in plus at most 50 custom types fit one page, so no token is ever issued.
    if (input.nextToken !== undefined) {
      throw new InvalidNextTokenException('The next token is not valid for this request.');
    }
    const owner = input.actionOwnerFilter;
    const entries = [...BUILT_IN.values(), ...(await this.customEntries())];
    return {
      actionTypes: entries
        .map((e) => e.actionType)
        .filter((type) => !owner || type.id.owner === owner),
    };
  }

  /** CreateCustomActionType: registers a type for job workers; an id is usable only once. */
  async createCustom(input: CustomActionTypeInput, tags: Tag[] = []) {
    const actionType = checkCustomActionType(input);
    checkTagKeys(tags);
    const arn = customActionTypeArn(this.scope, actionType.id);
    checkTagCount(arn, tags.length);
    if ((await this.store.listCustomActionTypes()).length >= MAX_CUSTOM_ACTION_TYPES) {
      throw new LimitExceededException(
        `The account already has ${MAX_CUSTOM_ACTION_TYPES} custom action types, the most allowed.`,
      );
    }
    try {
      await this.store.createCustomActionType({
        ...actionType.id,
        actionTypeJson: JSON.stringify(actionType),
        createdMs: Date.now(),
        deletedMs: null,
      });
    } catch (error) {
      if (!(error instanceof ActionTypeTakenError)) throw error;
      throw new ValidationException(
        `Action type ${actionTypeKey(actionType.id)} already exists or was deleted; ` +
          'a custom action type version can be used only once. Choose a new version.',
        { cause: error },
      );
    }
    if (tags.length > 0) await this.store.putTags(arn, tags);
    return { actionType, ...(tags.length > 0 ? { tags } : {}) };
  }

  /** DeleteCustomActionType: the type stops being usable; its version is never reused. */
  async deleteCustom(id: { category: string; provider: string; version: string }): Promise<void> {
    const deleted = await this.store.deleteCustomActionType(id, Date.now());
    if (!deleted) {
      throw new ValidationException(
        `Custom action type ${id.category}/Custom/${id.provider}/${id.version} does not exist.`,
      );
    }
    const arn = customActionTypeArn(this.scope, { ...id, owner: 'Custom' } as ActionTypeId);
    const tags = await this.store.listTags(arn);
    await this.store.removeTags(
      arn,
      tags.map((t) => t.key),
    );
  }

  private async customEntries(): Promise<ActionTypeEntry[]> {
    const rows = await this.store.listCustomActionTypes();
    return rows.map((row) => ({
      actionType: JSON.parse(row.actionTypeJson) as ActionType,
      requiresV2: false,
    }));
  }
}

/** The unique key of an action type id. */
export function actionTypeKey(id: ActionTypeId): string {
  return `${id.category}/${id.owner}/${id.provider}/${id.version}`;
}
