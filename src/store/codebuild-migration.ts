/**
 * The CodeBuild projects table: one row per project, its whole definition as one JSON
 * document (the API's Project shape changes often; a column per field would chase it).
 * Written once for both engines, as in iam-migration.ts.
 */
import type { Kysely, Migration, RawBuilder } from 'kysely';

type ColumnType = 'text' | 'integer' | 'bigint' | RawBuilder<unknown>;

interface CodeBuildColumnTypes {
  /** Text that sorts byte-wise (COLLATE "C" on PostgreSQL, plain text on SQLite). */
  name: ColumnType;
  /** Epoch milliseconds. */
  ms: ColumnType;
  /** Appended to every CREATE TABLE (STRICT on SQLite). */
  tableSuffix?: RawBuilder<unknown>;
}

/** The CodeBuild projects migration for an engine's column types. */
export function codeBuildMigration(types: CodeBuildColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const builder = db.schema.createTable('codebuild_projects');
      await (types.tableSuffix ? builder.modifyEnd(types.tableSuffix) : builder)
        .addColumn('name', types.name, (c) => c.primaryKey())
        .addColumn('project_json', 'text', (c) => c.notNull())
        .addColumn('created_ms', types.ms, (c) => c.notNull())
        .addColumn('updated_ms', types.ms, (c) => c.notNull())
        .execute();
    },
  };
}
