/**
 * Moves the pipeline declaration out of the per-decision state row. Every decision rewrote the
 * whole state_json, and a 50-action run carried about 35 KB of declaration in it that never
 * changes; now the declaration is stored once, keyed by its SHA-256 (runs of one pipeline
 * version share one row), and the execution names it. Rows written before keep their
 * declaration inside state_json and a null declaration_sha256. Written once for both engines.
 */
import type { Kysely, Migration, RawBuilder } from 'kysely';

interface DeclarationColumnTypes {
  /** Appended to the CREATE TABLE (STRICT on SQLite). */
  tableSuffix?: RawBuilder<unknown>;
}

/** The execution declarations migration for an engine. */
export function executionDeclarationsMigration(types: DeclarationColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const builder = db.schema.createTable('execution_declarations');
      await (types.tableSuffix ? builder.modifyEnd(types.tableSuffix) : builder)
        .addColumn('sha256', 'text', (c) => c.primaryKey())
        .addColumn('declaration_json', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .alterTable('pipeline_executions')
        .addColumn('declaration_sha256', 'text', (c) =>
          c.references('execution_declarations.sha256'),
        )
        .execute();
      await db.schema
        .createIndex('pipeline_executions_by_declaration')
        .on('pipeline_executions')
        .column('declaration_sha256')
        .execute();
    },
  };
}
