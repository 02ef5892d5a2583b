import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';

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
};
