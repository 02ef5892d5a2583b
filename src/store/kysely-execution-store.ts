/**
 * ExecutionStore over Kysely, for both engines. Job claims must hand each job to exactly one
 * worker even with several server replicas on one PostgreSQL: the claim is one UPDATE whose
 * subquery skips rows other transactions hold (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite
 * has a single writer, so its plain subquery is already exclusive), and the outer WHERE
 * re-checks the status so a lost race updates nothing.
 */
import type { Kysely } from 'kysely';
import {
  toActionRecord,
  toActionRow,
  toExecutionRecord,
  toExecutionRow,
  toJobRecord,
  toJobRow,
} from './execution-rows.js';
import {
  ClientRequestTokenTakenError,
  JobNotEndedError,
  type ActionExecutionRecord,
  type DecisionCommit,
  type ExecutionRecord,
  type JobEnd,
  type ExecutionStore,
  type JobRecord,
  type JobStatus,
  type StoredDeclaration,
} from './execution-store.js';
import type { Database } from './schema.js';
import type { StoreDialect } from './store-dialect.js';

const FINISHED_EXECUTION = ['Succeeded', 'Failed', 'Stopped', 'Superseded', 'Cancelled'];
const UNFINISHED_JOB: JobStatus[] = ['Created', 'Queued', 'Dispatched', 'InProgress'];

export class KyselyExecutionStore implements ExecutionStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: StoreDialect,
  ) {}

  async insertExecution(record: ExecutionRecord, declaration: StoredDeclaration): Promise<void> {
    try {
      await this.db.transaction().execute(async (trx) => {
        // Runs of one pipeline version share the row: the declaration is keyed by its content.
        await trx
          .insertInto('execution_declarations')
          .values({ sha256: declaration.sha256, declaration_json: declaration.json })
          .onConflict((oc) => oc.column('sha256').doNothing())
          .execute();
        await trx.insertInto('pipeline_executions').values(toExecutionRow(record)).execute();
      });
    } catch (error) {
      if (this.engine.isUniqueViolation(error)) throw new ClientRequestTokenTakenError();
      throw error;
    }
  }

  async getDeclaration(sha256: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('execution_declarations')
      .select('declaration_json')
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    return row?.declaration_json;
  }

  async getExecution(id: string): Promise<ExecutionRecord | undefined> {
    const row = await this.db
      .selectFrom('pipeline_executions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toExecutionRecord(row);
  }

  async findExecutionByToken(pipelineName: string, token: string) {
    const row = await this.db
      .selectFrom('pipeline_executions')
      .selectAll()
      .where('pipeline_name', '=', pipelineName)
      .where('client_request_token', '=', token)
      .executeTakeFirst();
    return row && toExecutionRecord(row);
  }

  async listExecutions(pipelineName: string, after: string | undefined, limit: number) {
    let query = this.db
      .selectFrom('pipeline_executions')
      .selectAll()
      .where('pipeline_name', '=', pipelineName);
    if (after !== undefined) {
      const anchor = await this.getExecution(after);
      if (!anchor) return [];
      // Newest first, ties on the millisecond broken by id so that paging is stable.
      query = query.where((eb) =>
        eb.or([
          eb('created_ms', '<', anchor.createdMs),
          eb.and([eb('created_ms', '=', anchor.createdMs), eb('id', '<', anchor.id)]),
        ]),
      );
    }
    const rows = await query
      .orderBy('created_ms', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toExecutionRecord);
  }

  async listUnfinishedExecutions(pipelineName?: string) {
    let query = this.db
      .selectFrom('pipeline_executions')
      .selectAll()
      .where('status', 'not in', FINISHED_EXECUTION);
    if (pipelineName !== undefined) query = query.where('pipeline_name', '=', pipelineName);
    return (await query.orderBy('created_ms').execute()).map(toExecutionRecord);
  }

  async commitDecision(commit: DecisionCommit): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // Written first: the compare-and-set takes the write lock (see KyselyStateStore).
      const updated = await trx
        .updateTable('pipeline_executions')
        .set({
          status: commit.status,
          state_json: commit.stateJson,
          state_version: commit.expectedStateVersion + 1,
          updated_ms: commit.updatedMs,
        })
        .where('id', '=', commit.executionId)
        .where('state_version', '=', commit.expectedStateVersion)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return false;
      if (commit.endJob) await endJob(trx, commit.endJob, commit.updatedMs);
      if (commit.actions.length > 0) {
        await trx
          .insertInto('action_executions')
          .values(commit.actions.map(toActionRow))
          .onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => ({
              status: eb.ref('excluded.status'),
              detail_json: eb.ref('excluded.detail_json'),
              updated_ms: eb.ref('excluded.updated_ms'),
            })),
          )
          .execute();
      }
      if (commit.newJobs.length > 0) {
        await trx.insertInto('jobs').values(commit.newJobs.map(toJobRow)).execute();
      }
      if (commit.endJobsOfActions.length > 0) {
        await trx
          .updateTable('jobs')
          .set({ status: 'Failed', updated_ms: commit.updatedMs, lease_expires_ms: null })
          .where('action_execution_id', 'in', commit.endJobsOfActions)
          .where('status', 'in', UNFINISHED_JOB)
          .execute();
      }
      return true;
    });
  }

  async listActionExecutions(
    pipelineName: string,
    executionId: string | undefined,
    after: { startedMs: number; id: string } | undefined,
    limit: number,
  ): Promise<ActionExecutionRecord[]> {
    let query = this.db
      .selectFrom('action_executions')
      .selectAll()
      .where('pipeline_name', '=', pipelineName);
    if (executionId !== undefined) query = query.where('execution_id', '=', executionId);
    if (after !== undefined) {
      // Actions started by one decision share a millisecond; the id breaks the tie so that
      // no page boundary can fall between two of them and lose one.
      query = query.where((eb) =>
        eb.or([
          eb('started_ms', '<', after.startedMs),
          eb.and([eb('started_ms', '=', after.startedMs), eb('id', '>', after.id)]),
        ]),
      );
    }
    const rows = await query.orderBy('started_ms', 'desc').orderBy('id').limit(limit).execute();
    return rows.map(toActionRecord);
  }

  async getActionExecution(id: string) {
    const row = await this.db
      .selectFrom('action_executions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toActionRecord(row);
  }

  async deleteExecutionsOf(pipelineName: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const ids = trx
        .selectFrom('pipeline_executions')
        .select('id')
        .where('pipeline_name', '=', pipelineName);
      const declarations = await trx
        .selectFrom('pipeline_executions')
        .select('declaration_sha256')
        .distinct()
        .where('pipeline_name', '=', pipelineName)
        .where('declaration_sha256', 'is not', null)
        .execute();
      await trx.deleteFrom('jobs').where('execution_id', 'in', ids).execute();
      await trx.deleteFrom('action_executions').where('pipeline_name', '=', pipelineName).execute();
      await trx
        .deleteFrom('pipeline_executions')
        .where('pipeline_name', '=', pipelineName)
        .execute();
      const shas = declarations.flatMap((row) => row.declaration_sha256 ?? []);
      if (shas.length === 0) return;
      // A declaration names its pipeline, so no other pipeline's run follows it; a run of a
      // pipeline recreated under the same name meanwhile may, and keeps it (the foreign key
      // refuses a deletion that would leave it dangling).
      await trx
        .deleteFrom('execution_declarations')
        .where('sha256', 'in', shas)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('pipeline_executions')
                .select('id')
                .whereRef(
                  'pipeline_executions.declaration_sha256',
                  '=',
                  'execution_declarations.sha256',
                ),
            ),
          ),
        )
        .execute();
    });
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const row = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toJobRecord(row);
  }

  async jobOfAction(actionExecutionId: string): Promise<JobRecord | undefined> {
    const row = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('action_execution_id', '=', actionExecutionId)
      .orderBy('created_ms', 'desc')
      .executeTakeFirst();
    return row && toJobRecord(row);
  }

  async claimJob(
    actionTypeKeys: string[],
    workerId: string,
    leaseExpiresMs: number,
    nowMs: number,
  ) {
    if (actionTypeKeys.length === 0) return undefined;
    const skipLocked = this.engine.name === 'postgres';
    const row = await this.db
      .updateTable('jobs')
      .set({
        status: 'InProgress',
        worker_id: workerId,
        lease_expires_ms: leaseExpiresMs,
        updated_ms: nowMs,
      })
      .where('status', '=', 'Queued')
      .where('id', '=', (eb) =>
        eb
          .selectFrom('jobs')
          .select('id')
          .where('action_type_key', 'in', actionTypeKeys)
          .where('status', '=', 'Queued')
          .orderBy('created_ms')
          .limit(1)
          .$if(skipLocked, (qb) => qb.forUpdate().skipLocked()),
      )
      .returningAll()
      .executeTakeFirst();
    return row && toJobRecord(row);
  }

  async pollJobs(
    actionTypeKey: string,
    queryValue: string | undefined,
    limit: number,
    nowMs: number,
  ) {
    let query = this.db
      .selectFrom('jobs')
      .selectAll()
      .where('action_type_key', '=', actionTypeKey)
      .where('status', 'in', ['Queued', 'Dispatched']);
    if (queryValue !== undefined) query = query.where('query_value', '=', queryValue);
    const rows = await query.orderBy('created_ms').limit(limit).execute();
    if (rows.length > 0) {
      await this.db
        .updateTable('jobs')
        .set({ status: 'Dispatched', updated_ms: nowMs })
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .where('status', '=', 'Queued')
        .execute();
    }
    return rows.map((row) => ({ ...toJobRecord(row), status: 'Dispatched' as const }));
  }

  async transitionJob(
    id: string,
    from: JobStatus[],
    to: JobStatus,
    changes: {
      nowMs: number;
      nonce?: string;
      workerId?: string;
      leaseExpiresMs?: number | null;
      dataJson?: string;
    },
  ) {
    let query = this.db
      .updateTable('jobs')
      .set({
        status: to,
        updated_ms: changes.nowMs,
        ...(changes.workerId === undefined ? {} : { worker_id: changes.workerId }),
        ...(changes.leaseExpiresMs === undefined
          ? {}
          : { lease_expires_ms: changes.leaseExpiresMs }),
        ...(changes.dataJson === undefined ? {} : { data_json: changes.dataJson }),
      })
      .where('id', '=', id)
      .where('status', 'in', from);
    if (changes.nonce !== undefined) query = query.where('nonce', '=', changes.nonce);
    const row = await query.returningAll().executeTakeFirst();
    return row && toJobRecord(row);
  }

  async insertJob(job: JobRecord): Promise<void> {
    await this.db.insertInto('jobs').values(toJobRow(job)).execute();
  }

  async listOverdueJobs(nowMs: number, limit: number) {
    const rows = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('status', 'in', UNFINISHED_JOB)
      .where((eb) =>
        eb.or([
          eb('timeout_at_ms', '<=', nowMs),
          eb.and([eb('status', '=', 'InProgress'), eb('lease_expires_ms', '<=', nowMs)]),
        ]),
      )
      .orderBy('timeout_at_ms')
      .limit(limit)
      .execute();
    return rows.map(toJobRecord);
  }
}

/** Ends a decision's job inside its transaction; throwing rolls the whole decision back. */
async function endJob(trx: Kysely<Database>, end: JobEnd, nowMs: number): Promise<void> {
  const ended = await trx
    .updateTable('jobs')
    .set({ status: end.to, updated_ms: nowMs, lease_expires_ms: null, data_json: end.dataJson })
    .where('id', '=', end.id)
    .where('status', 'in', end.from)
    .executeTakeFirst();
  if (Number(ended.numUpdatedRows) !== 1) {
    throw new JobNotEndedError(`job ${end.id} is no longer in ${end.from.join(' or ')}`);
  }
}
