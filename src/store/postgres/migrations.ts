import { auditResourcesMigration } from '../audit-resources-migration.js';
import { connectionSecretMigration } from '../connection-secret-migration.js';
import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import { iamMigration } from '../iam-migration.js';
import { mfaMigration } from '../mfa-migration.js';
import { codeBuildMigration } from '../codebuild-migration.js';
import { kmsMigration } from '../kms-migration.js';
import { secretsMigration } from '../secret-migration.js';
import { objectMigration } from '../object-migration.js';
import { executionDeclarationsMigration } from '../execution-declarations-migration.js';

/**
 * PostgreSQL migrations, numbered and forward-only: never edit one that has shipped, add the
 * next. Timestamps are epoch milliseconds in BIGINT columns (read back as numbers, see
 * dialect.ts). Names that are listed in order use COLLATE "C" so that PostgreSQL sorts them
 * byte-wise, exactly as SQLite does, whatever the database's locale.
 */
export const postgresMigrations: Readonly<Record<string, Migration>> = {
  '0001-initial': {
    async up(db: Kysely<unknown>): Promise<void> {
      const orderedText = sql`text collate "C"`;
      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (col) => col.primaryKey())
        .addColumn('value', 'text', (col) => col.notNull())
        .execute();
      await db.schema
        .createTable('access_keys')
        .addColumn('access_key_id', 'text', (col) => col.primaryKey())
        .addColumn('principal_arn', 'text', (col) => col.notNull())
        .addColumn('user_name', 'text', (col) => col.notNull())
        .addColumn('secret_ciphertext', 'text', (col) => col.notNull())
        .addColumn('status', 'text', (col) =>
          col.notNull().check(sql`status in ('Active', 'Inactive')`),
        )
        .addColumn('created_ms', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createTable('pipelines')
        .addColumn('name', orderedText, (col) => col.primaryKey())
        .addColumn('arn', 'text', (col) => col.notNull().unique())
        .addColumn('version', 'integer', (col) => col.notNull())
        .addColumn('pipeline_type', 'text', (col) => col.notNull())
        .addColumn('execution_mode', 'text', (col) => col.notNull())
        .addColumn('created_ms', 'bigint', (col) => col.notNull())
        .addColumn('updated_ms', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createTable('pipeline_versions')
        .addColumn('name', orderedText, (col) =>
          col.notNull().references('pipelines.name').onDelete('cascade'),
        )
        .addColumn('version', 'integer', (col) => col.notNull())
        .addColumn('declaration_json', 'text', (col) => col.notNull())
        .addColumn('created_ms', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('pipeline_versions_pk', ['name', 'version'])
        .execute();
      await db.schema
        .createTable('tags')
        .addColumn('resource_arn', 'text', (col) => col.notNull())
        .addColumn('key', orderedText, (col) => col.notNull())
        .addColumn('value', 'text', (col) => col.notNull())
        .addPrimaryKeyConstraint('tags_pk', ['resource_arn', 'key'])
        .execute();
      await db.schema
        .createTable('audit_events')
        .addColumn('sequence', 'bigint', (col) => col.primaryKey().generatedAlwaysAsIdentity())
        .addColumn('event_time_ms', 'bigint', (col) => col.notNull())
        .addColumn('event_source', 'text', (col) => col.notNull())
        .addColumn('event_name', 'text', (col) => col.notNull())
        .addColumn('request_id', 'text', (col) => col.notNull())
        .addColumn('principal_arn', 'text')
        .addColumn('access_key_id', 'text')
        .addColumn('source_ip_address', 'text', (col) => col.notNull())
        .addColumn('user_agent', 'text', (col) => col.notNull())
        // smallint 0/1 rather than boolean: one insert and one row type serve both engines.
        .addColumn('read_only', 'smallint', (col) => col.notNull().check(sql`read_only in (0, 1)`))
        .addColumn('error_code', 'text')
        .addColumn('error_message', 'text')
        .addColumn('request_parameters_json', 'text')
        .execute();
    },
  },
  '0002-custom-action-types': {
    async up(db: Kysely<unknown>): Promise<void> {
      const orderedText = sql`text collate "C"`;
      await db.schema
        .createTable('custom_action_types')
        .addColumn('category', orderedText, (col) => col.notNull())
        .addColumn('provider', orderedText, (col) => col.notNull())
        .addColumn('version', orderedText, (col) => col.notNull())
        .addColumn('action_type_json', 'text', (col) => col.notNull())
        .addColumn('created_ms', 'bigint', (col) => col.notNull())
        .addColumn('deleted_ms', 'bigint')
        .addPrimaryKeyConstraint('custom_action_types_pk', ['category', 'provider', 'version'])
        .execute();
    },
  },
  '0003-executions-jobs-artifacts-connections': {
    async up(db: Kysely<unknown>): Promise<void> {
      const nameType = sql`text collate "C"`;
      // One row per run; the engine's whole view of the run is state_json, replaced under a
      // compare-and-set on state_version so that only one decision is ever applied at a time.
      await db.schema
        .createTable('pipeline_executions')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('pipeline_name', nameType, (col) => col.notNull())
        .addColumn('pipeline_version', 'integer', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('client_request_token', 'text')
        .addColumn('state_json', 'text', (col) => col.notNull())
        .addColumn('state_version', 'integer', (col) => col.notNull())
        .addColumn('created_ms', 'bigint', (col) => col.notNull())
        .addColumn('updated_ms', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createIndex('pipeline_executions_by_pipeline')
        .on('pipeline_executions')
        .columns(['pipeline_name', 'created_ms'])
        .execute();
      await db.schema
        .createIndex('pipeline_executions_by_token')
        .on('pipeline_executions')
        .columns(['pipeline_name', 'client_request_token'])
        .unique()
        .execute();
      await db.schema
        .createTable('action_executions')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('execution_id', 'text', (col) => col.notNull())
        .addColumn('pipeline_name', nameType, (col) => col.notNull())
        .addColumn('stage_name', 'text', (col) => col.notNull())
        .addColumn('action_name', 'text', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('detail_json', 'text', (col) => col.notNull())
        .addColumn('started_ms', 'bigint', (col) => col.notNull())
        .addColumn('updated_ms', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createIndex('action_executions_by_pipeline')
        .on('action_executions')
        .columns(['pipeline_name', 'started_ms'])
        .execute();
      // A job is one attempt at an action by a worker: claimed once (nonce), held by a lease.
      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('action_execution_id', 'text', (col) => col.notNull())
        .addColumn('execution_id', 'text', (col) => col.notNull())
        .addColumn('action_type_key', 'text', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('nonce', 'text', (col) => col.notNull())
        .addColumn('worker_id', 'text')
        .addColumn('query_value', 'text')
        .addColumn('data_json', 'text', (col) => col.notNull())
        .addColumn('lease_expires_ms', 'bigint')
        .addColumn('timeout_at_ms', 'bigint', (col) => col.notNull())
        .addColumn('created_ms', 'bigint', (col) => col.notNull())
        .addColumn('updated_ms', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createIndex('jobs_by_type_status')
        .on('jobs')
        .columns(['action_type_key', 'status', 'created_ms'])
        .execute();
      await db.schema
        .createTable('artifacts')
        .addColumn('execution_id', 'text', (col) => col.notNull())
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('location', 'text', (col) => col.notNull())
        .addColumn('sha256', 'text', (col) => col.notNull())
        .addColumn('size_bytes', 'bigint', (col) => col.notNull())
        .addColumn('revision', 'text')
        .addColumn('created_ms', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('artifacts_pk', ['execution_id', 'name'])
        .execute();
      await db.schema
        .createTable('connections')
        .addColumn('arn', 'text', (col) => col.primaryKey())
        .addColumn('name', nameType, (col) => col.notNull().unique())
        .addColumn('provider_type', 'text', (col) => col.notNull())
        .addColumn('endpoint', 'text', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('created_ms', 'bigint', (col) => col.notNull())
        .execute();
    },
  },
  '0004-stage-transitions': {
    async up(db: Kysely<unknown>): Promise<void> {
      const nameType = sql`text collate "C"`;
      // One row per disabled-or-re-enabled transition; no row means enabled, as CodePipeline
      // starts every transition enabled.
      await db.schema
        .createTable('stage_transitions')
        .addColumn('pipeline_name', nameType, (col) => col.notNull())
        .addColumn('stage_name', 'text', (col) => col.notNull())
        .addColumn('transition_type', 'text', (col) => col.notNull())
        .addColumn('enabled', 'integer', (col) => col.notNull())
        .addColumn('reason', 'text')
        .addColumn('changed_by', 'text', (col) => col.notNull())
        .addColumn('changed_ms', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('stage_transitions_pk', [
          'pipeline_name',
          'stage_name',
          'transition_type',
        ])
        .execute();
    },
  },
  '0005-audit-chain': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The append numbers each record itself (previous + 1, under the append lock), so that
      // a rolled-back insert can never leave a gap that verification would call tampering.
      await sql`alter table audit_events alter column sequence set generated by default`.execute(
        db,
      );
      // Nullable as on SQLite: rows older than the chain are sealed by the next append.
      for (const column of ['event_id', 'response_elements_json', 'prev_hash', 'record_hash']) {
        await db.schema.alterTable('audit_events').addColumn(column, 'text').execute();
      }
      await db.schema
        .createIndex('audit_events_by_event_id')
        .unique()
        .on('audit_events')
        .column('event_id')
        .execute();
      await db.schema
        .createIndex('audit_events_by_event_name')
        .on('audit_events')
        .columns(['event_name', 'sequence'])
        .execute();
      await db.schema
        .createIndex('audit_events_by_access_key')
        .on('audit_events')
        .columns(['access_key_id', 'sequence'])
        .execute();
      await db.schema
        .createTable('audit_checkpoints')
        .addColumn('tree_size', 'bigint', (col) => col.primaryKey())
        .addColumn('root_hash', 'text', (col) => col.notNull())
        .addColumn('signature', 'text', (col) => col.notNull())
        .addColumn('key_id', 'text', (col) => col.notNull())
        .addColumn('created_ms', 'bigint', (col) => col.notNull())
        .execute();
    },
  },
  '0006-iam': iamMigration({ name: sql`text collate "C"`, ms: 'bigint' }),
  '0007-mfa': mfaMigration({ name: sql`text collate "C"`, ms: 'bigint' }),
  '0008-codebuild-projects': codeBuildMigration({ name: sql`text collate "C"`, ms: 'bigint' }),
  '0009-kms': kmsMigration({ name: sql`text collate "C"`, ms: 'bigint' }),
  '0010-secrets': secretsMigration({ name: sql`text collate "C"`, ms: 'bigint' }),
  '0011-execution-declarations': executionDeclarationsMigration({}),
  '0012-objects': objectMigration({ name: sql`text collate "C"`, ms: 'bigint' }),
  '0013-connection-secret': connectionSecretMigration,
  '0014-audit-resources': auditResourcesMigration({
    name: sql`text collate "C"`,
    sequence: 'bigint',
  }),
};
