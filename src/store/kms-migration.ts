/**
 * The KMS tables: keys (metadata, key policy, lifecycle and rotation schedule), their key
 * material versions (each sealed by the root key; never stored in clear), and aliases.
 * Written once for both engines, as in codebuild-migration.ts.
 */
import type { Kysely, Migration, RawBuilder } from 'kysely';

type ColumnType = 'text' | 'integer' | 'bigint' | RawBuilder<unknown>;

interface KmsColumnTypes {
  /** Text that sorts byte-wise (COLLATE "C" on PostgreSQL, plain text on SQLite). */
  name: ColumnType;
  /** Epoch milliseconds. */
  ms: ColumnType;
  /** Appended to every CREATE TABLE (STRICT on SQLite). */
  tableSuffix?: RawBuilder<unknown>;
}

/** The KMS migration for an engine's column types. */
export function kmsMigration(types: KmsColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const table = (name: string) => {
        const builder = db.schema.createTable(name);
        return types.tableSuffix ? builder.modifyEnd(types.tableSuffix) : builder;
      };
      await table('kms_keys')
        .addColumn('key_id', types.name, (c) => c.primaryKey())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('key_manager', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('policy', 'text', (c) => c.notNull())
        .addColumn('created_ms', types.ms, (c) => c.notNull())
        .addColumn('deletion_ms', types.ms)
        .addColumn('pending_window_days', 'integer')
        .addColumn('rotation_period_days', 'integer')
        .addColumn('next_rotation_ms', types.ms)
        .addColumn('current_version', 'integer', (c) => c.notNull())
        .addColumn('on_demand_rotations', 'integer', (c) => c.notNull())
        .execute();
      await table('kms_key_materials')
        .addColumn('key_id', types.name, (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('material_id', 'text', (c) => c.notNull())
        .addColumn('sealed_material', 'text', (c) => c.notNull())
        .addColumn('rotation_type', 'text')
        .addColumn('created_ms', types.ms, (c) => c.notNull())
        .addPrimaryKeyConstraint('kms_key_materials_pk', ['key_id', 'version'])
        .execute();
      await table('kms_aliases')
        .addColumn('alias_name', types.name, (c) => c.primaryKey())
        .addColumn('key_id', types.name, (c) => c.notNull())
        .addColumn('created_ms', types.ms, (c) => c.notNull())
        .addColumn('updated_ms', types.ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('kms_aliases_by_key')
        .on('kms_aliases')
        .column('key_id')
        .execute();
    },
  };
}
