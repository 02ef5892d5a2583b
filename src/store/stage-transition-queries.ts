/** Queries on stage_transitions. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { StageTransitionRecord } from './state-store.js';

/** Every recorded transition of a pipeline. */
export async function selectStageTransitions(
  db: Kysely<Database>,
  pipelineName: string,
): Promise<StageTransitionRecord[]> {
  const rows = await db
    .selectFrom('stage_transitions')
    .selectAll()
    .where('pipeline_name', '=', pipelineName)
    .execute();
  return rows.map((row) => ({
    pipelineName: row.pipeline_name,
    stageName: row.stage_name,
    transitionType: row.transition_type as 'Inbound' | 'Outbound',
    enabled: row.enabled === 1,
    reason: row.reason,
    changedBy: row.changed_by,
    changedMs: row.changed_ms,
  }));
}

/** Inserts or replaces a transition's state. */
export async function upsertStageTransition(
  db: Kysely<Database>,
  record: StageTransitionRecord,
): Promise<void> {
  const row = {
    pipeline_name: record.pipelineName,
    stage_name: record.stageName,
    transition_type: record.transitionType,
    enabled: record.enabled ? 1 : 0,
    reason: record.reason,
    changed_by: record.changedBy,
    changed_ms: record.changedMs,
  };
  await db
    .insertInto('stage_transitions')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['pipeline_name', 'stage_name', 'transition_type']).doUpdateSet({
        enabled: row.enabled,
        reason: row.reason,
        changed_by: row.changed_by,
        changed_ms: row.changed_ms,
      }),
    )
    .execute();
}

/** Deletes a pipeline's transitions. */
export async function deleteStageTransitionsOf(
  db: Kysely<Database>,
  pipelineName: string,
): Promise<void> {
  await db.deleteFrom('stage_transitions').where('pipeline_name', '=', pipelineName).execute();
}
