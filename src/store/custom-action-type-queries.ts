/**
 * Queries on custom_action_types. A deleted type keeps its row (deleted_ms set) because
 * CodePipeline never lets a deleted category/provider/version be created again.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { CustomActionTypeRecord } from './state-store.js';
import { ActionTypeTakenError } from './state-store.js';

type ActionTypeKey = { category: string; provider: string; version: string };

/** Inserts a custom action type; the primary key decides races for the same id. */
export async function insertCustomActionType(
  db: Kysely<Database>,
  record: CustomActionTypeRecord,
  isUniqueViolation: (error: unknown) => boolean,
): Promise<void> {
  try {
    await db
      .insertInto('custom_action_types')
      .values({
        category: record.category,
        provider: record.provider,
        version: record.version,
        action_type_json: record.actionTypeJson,
        created_ms: record.createdMs,
        deleted_ms: record.deletedMs,
      })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ActionTypeTakenError(`${record.category}/${record.provider}/${record.version}`);
    }
    throw error;
  }
}

/** Live custom action types in id order. */
export async function selectCustomActionTypes(
  db: Kysely<Database>,
): Promise<CustomActionTypeRecord[]> {
  const rows = await db
    .selectFrom('custom_action_types')
    .selectAll()
    .where('deleted_ms', 'is', null)
    .orderBy('category')
    .orderBy('provider')
    .orderBy('version')
    .execute();
  return rows.map((row) => ({
    category: row.category,
    provider: row.provider,
    version: row.version,
    actionTypeJson: row.action_type_json,
    createdMs: row.created_ms,
    deletedMs: row.deleted_ms,
  }));
}

/** Marks a live custom action type deleted. */
export async function markCustomActionTypeDeleted(
  db: Kysely<Database>,
  id: ActionTypeKey,
  deletedMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable('custom_action_types')
    .set({ deleted_ms: deletedMs })
    .where('category', '=', id.category)
    .where('provider', '=', id.provider)
    .where('version', '=', id.version)
    .where('deleted_ms', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
