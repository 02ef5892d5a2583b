import type { ExecutionStore } from './execution-store.js';
import { KyselyExecutionStore } from './kysely-execution-store.js';
import type { IamStore } from './iam-store.js';
import { KyselyIamStore } from './kysely-iam-store.js';
import type { MfaStore } from './mfa-store.js';
import { createMfaStore } from './mfa-queries.js';
import type { CodeBuildProjectStore } from './codebuild-project-store.js';
import { createCodeBuildProjectStore } from './codebuild-project-queries.js';
import type { KmsStore } from './kms-store.js';
import { createKmsStore } from './kms-queries.js';
import type { SecretStore } from './secret-store.js';
import { createSecretStore } from './secret-queries.js';
import type { ObjectMetadataStore } from './object-metadata-store.js';
import { createObjectMetadataStore } from './object-metadata-queries.js';
import type { RootSealedStore } from './root-sealed-store.js';
import { createRootSealedStore } from './root-sealed-queries.js';
import { sql, type Kysely } from 'kysely';
import { toPipelineRecord, toPipelineRow } from './pipeline-row.js';
import type { AccessKeyRow, Database } from './schema.js';
import {
  PipelineNameTakenError,
  StaleVersionError,
  type AccessKeyRecord,
  type AuditCheckpointRecord,
  type AuditLookupQuery,
  type AuditRecord,
  type AuditSeal,
  type CustomActionTypeRecord,
  type StageTransitionRecord,
  type PipelineRecord,
  type PipelineVersionRecord,
  type StateStore,
  type StoredAuditRecord,
  type TagRecord,
} from './state-store.js';
import type { StoreDialect } from './store-dialect.js';
import type { ConnectionStore } from './connection-store.js';
import { createConnectionStore } from './connection-queries.js';
import {
  appendAuditRecord,
  appendAuditRecords,
  insertAuditCheckpoint,
  lookupAuditRecords,
  selectAuditCheckpoints,
  selectAuditPage,
} from './audit-queries.js';
import {
  deleteStageTransitionsOf,
  selectStageTransitions,
  upsertStageTransition,
} from './stage-transition-queries.js';
import {
  insertCustomActionType,
  markCustomActionTypeDeleted,
  selectCustomActionTypes,
} from './custom-action-type-queries.js';

/**
 * The StateStore for both engines: every query is written once with Kysely, and the few that
 * differ come from the StoreDialect.
 *
 * Transactions that write always write first. On SQLite a transaction that reads and then
 * writes can fail with SQLITE_BUSY without waiting when another process wrote in between;
 * writing first takes the write lock up front, under the busy timeout.
 */
export class KyselyStateStore implements StateStore {
  readonly dialect: 'sqlite' | 'postgres';
  readonly connections: ConnectionStore;
  readonly executions: ExecutionStore;
  readonly iam: IamStore;
  readonly mfa: MfaStore;
  readonly codeBuildProjects: CodeBuildProjectStore;
  readonly kms: KmsStore;
  readonly secrets: SecretStore;
  readonly objects: ObjectMetadataStore;
  readonly rootSealed: RootSealedStore;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: StoreDialect,
  ) {
    this.dialect = engine.name;
    this.connections = createConnectionStore(db, (error) => engine.isUniqueViolation(error));
    this.executions = new KyselyExecutionStore(db, engine);
    this.iam = new KyselyIamStore(db, (error) => engine.isUniqueViolation(error));
    this.mfa = createMfaStore(db, (error) => engine.isUniqueViolation(error));
    this.codeBuildProjects = createCodeBuildProjectStore(db, (error) =>
      engine.isUniqueViolation(error),
    );
    this.objects = createObjectMetadataStore(db, (error) => engine.isUniqueViolation(error));
    this.kms = createKmsStore(db, (error) => engine.isUniqueViolation(error));
    this.secrets = createSecretStore(db, (error) => engine.isUniqueViolation(error));
    this.rootSealed = createRootSealedStore(db, engine.name);
  }

  migrate(): Promise<void> {
    return this.engine.migrate(this.db);
  }

  async close(): Promise<void> {
    await this.engine.close();
    await this.db.destroy();
  }

  withLock<T>(name: string, section: () => Promise<T>): Promise<T> {
    return this.engine.withLock(name, section);
  }

  async getSetting(key: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return row?.value;
  }

  async initSetting(key: string, value: string): Promise<string> {
    // Insert-if-absent, then read: whoever inserted first wins, and every caller, racing or
    // not, reads the winner's value. A setting set by initSetting never changes afterwards.
    await this.db
      .insertInto('settings')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const stored = await this.getSetting(key);
    if (stored === undefined) throw new Error(`setting ${key} vanished after insert`);
    return stored;
  }

  async compareAndSetSetting(key: string, expected: string, next: string): Promise<boolean> {
    const result = await this.db
      .updateTable('settings')
      .set({ value: next })
      .where('key', '=', key)
      .where('value', '=', expected)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async deleteSettingsWithPrefix(prefix: string): Promise<void> {
    // substr rather than LIKE: pipeline names may hold '_', a LIKE wildcard.
    await this.db
      .deleteFrom('settings')
      .where(sql<string>`substr(key, 1, ${prefix.length})`, '=', prefix)
      .execute();
  }

  async putAccessKey(key: AccessKeyRecord): Promise<void> {
    const row: AccessKeyRow = {
      access_key_id: key.accessKeyId,
      principal_arn: key.principalArn,
      user_name: key.userName,
      secret_ciphertext: key.secretCiphertext,
      status: key.status,
      created_ms: key.createdMs,
    };
    // A put overwrites everything but the id (status changes, secret rotation).
    await this.db
      .insertInto('access_keys')
      .values(row)
      .onConflict((oc) =>
        oc.column('access_key_id').doUpdateSet((eb) => ({
          principal_arn: eb.ref('excluded.principal_arn'),
          user_name: eb.ref('excluded.user_name'),
          secret_ciphertext: eb.ref('excluded.secret_ciphertext'),
          status: eb.ref('excluded.status'),
          created_ms: eb.ref('excluded.created_ms'),
        })),
      )
      .execute();
  }

  async listAccessKeysOf(userName: string): Promise<AccessKeyRecord[]> {
    const rows = await this.db
      .selectFrom('access_keys')
      .selectAll()
      .where('user_name', '=', userName)
      .orderBy('created_ms')
      .execute();
    return rows.map(toAccessKeyRecord);
  }

  async deleteAccessKey(accessKeyId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('access_keys')
      .where('access_key_id', '=', accessKeyId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const row = await this.db
      .selectFrom('access_keys')
      .selectAll()
      .where('access_key_id', '=', accessKeyId)
      .executeTakeFirst();
    return row === undefined ? undefined : toAccessKeyRecord(row);
  }

  async createPipeline(pipeline: PipelineRecord, declarationJson: string): Promise<void> {
    // The primary key decides a race for the name: the loser's insert fails (on PostgreSQL
    // after waiting for the winner to commit), never a read-then-insert check.
    await this.db.transaction().execute(async (trx) => {
      try {
        await trx.insertInto('pipelines').values(toPipelineRow(pipeline)).execute();
      } catch (error) {
        if (this.engine.isUniqueViolation(error)) throw new PipelineNameTakenError(pipeline.name);
        throw error;
      }
      await trx
        .insertInto('pipeline_versions')
        .values({
          name: pipeline.name,
          version: pipeline.version,
          declaration_json: declarationJson,
          created_ms: pipeline.createdMs,
        })
        .execute();
    });
  }

  async getPipeline(name: string): Promise<PipelineRecord | undefined> {
    const row = await this.db
      .selectFrom('pipelines')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row === undefined ? undefined : toPipelineRecord(row);
  }

  async getPipelineVersion(
    name: string,
    version: number,
  ): Promise<PipelineVersionRecord | undefined> {
    const row = await this.db
      .selectFrom('pipeline_versions')
      .selectAll()
      .where('name', '=', name)
      .where('version', '=', version)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      name: row.name,
      version: row.version,
      declarationJson: row.declaration_json,
      createdMs: row.created_ms,
    };
  }

  async updatePipeline(
    name: string,
    expectedVersion: number,
    next: Pick<PipelineRecord, 'pipelineType' | 'executionMode' | 'updatedMs'>,
    declarationJson: string,
  ): Promise<PipelineRecord | undefined> {
    const updated = await this.db.transaction().execute(async (trx) => {
      // Compare-and-set on the version: of two concurrent updates from the same version, the
      // second matches no row (PostgreSQL re-checks the WHERE after the first commits).
      const row = await trx
        .updateTable('pipelines')
        .set((eb) => ({
          version: eb('version', '+', 1),
          pipeline_type: next.pipelineType,
          execution_mode: next.executionMode,
          updated_ms: next.updatedMs,
        }))
        .where('name', '=', name)
        .where('version', '=', expectedVersion)
        .returningAll()
        .executeTakeFirst();
      if (row === undefined) return undefined;
      await trx
        .insertInto('pipeline_versions')
        .values({
          name,
          version: row.version,
          declaration_json: declarationJson,
          created_ms: next.updatedMs,
        })
        .execute();
      return toPipelineRecord(row);
    });
    if (updated !== undefined) return updated;
    if ((await this.getPipeline(name)) === undefined) return undefined;
    throw new StaleVersionError(name, expectedVersion);
  }

  async deletePipeline(name: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // Versions go by ON DELETE CASCADE; tags are keyed by ARN, so they go explicitly.
      const deleted = await trx
        .deleteFrom('pipelines')
        .where('name', '=', name)
        .returning('arn')
        .executeTakeFirst();
      if (deleted === undefined) return false;
      await trx.deleteFrom('tags').where('resource_arn', '=', deleted.arn).execute();
      return true;
    });
  }

  async listPipelines(afterName: string | undefined, limit: number): Promise<PipelineRecord[]> {
    let query = this.db.selectFrom('pipelines').selectAll().orderBy('name').limit(limit);
    if (afterName !== undefined) query = query.where('name', '>', afterName);
    return (await query.execute()).map(toPipelineRecord);
  }

  async listTags(resourceArn: string): Promise<TagRecord[]> {
    return this.db
      .selectFrom('tags')
      .select(['key', 'value'])
      .where('resource_arn', '=', resourceArn)
      .orderBy('key')
      .execute();
  }

  async putTags(resourceArn: string, tags: TagRecord[]): Promise<void> {
    if (tags.length === 0) return;
    // One statement, so all the tags land or none do.
    await this.db
      .insertInto('tags')
      .values(tags.map((tag) => ({ resource_arn: resourceArn, key: tag.key, value: tag.value })))
      .onConflict((oc) =>
        oc
          .columns(['resource_arn', 'key'])
          .doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })),
      )
      .execute();
  }

  async removeTags(resourceArn: string, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.db
      .deleteFrom('tags')
      .where('resource_arn', '=', resourceArn)
      .where('key', 'in', keys)
      .execute();
  }

  listStageTransitions(pipelineName: string): Promise<StageTransitionRecord[]> {
    return selectStageTransitions(this.db, pipelineName);
  }

  putStageTransition(record: StageTransitionRecord): Promise<void> {
    return upsertStageTransition(this.db, record);
  }

  deleteStageTransitions(pipelineName: string): Promise<void> {
    return deleteStageTransitionsOf(this.db, pipelineName);
  }

  createCustomActionType(record: CustomActionTypeRecord): Promise<void> {
    return insertCustomActionType(this.db, record, (error) => this.engine.isUniqueViolation(error));
  }

  listCustomActionTypes(): Promise<CustomActionTypeRecord[]> {
    return selectCustomActionTypes(this.db);
  }

  deleteCustomActionType(
    id: { category: string; provider: string; version: string },
    deletedMs: number,
  ): Promise<boolean> {
    return markCustomActionTypeDeleted(this.db, id, deletedMs);
  }

  appendAudit(record: AuditRecord, seal: AuditSeal): Promise<StoredAuditRecord> {
    return appendAuditRecord(this.db, (trx) => this.engine.lockAuditAppend(trx), record, seal);
  }

  appendAuditBatch(records: readonly AuditRecord[], seal: AuditSeal): Promise<StoredAuditRecord[]> {
    return appendAuditRecords(this.db, (trx) => this.engine.lockAuditAppend(trx), records, seal);
  }

  listAudit(afterSequence: number, limit: number): Promise<StoredAuditRecord[]> {
    return selectAuditPage(this.db, afterSequence, limit);
  }

  lookupAudit(query: AuditLookupQuery): Promise<StoredAuditRecord[]> {
    return lookupAuditRecords(this.db, query);
  }

  addAuditCheckpoint(checkpoint: AuditCheckpointRecord): Promise<boolean> {
    return insertAuditCheckpoint(this.db, checkpoint);
  }

  listAuditCheckpoints(): Promise<AuditCheckpointRecord[]> {
    return selectAuditCheckpoints(this.db);
  }
}

function toAccessKeyRecord(row: AccessKeyRow): AccessKeyRecord {
  return {
    accessKeyId: row.access_key_id,
    principalArn: row.principal_arn,
    userName: row.user_name,
    secretCiphertext: row.secret_ciphertext,
    status: row.status,
    createdMs: row.created_ms,
  };
}
