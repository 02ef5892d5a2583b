/** Queries on the codebuild_projects table, written once with Kysely for both engines. */
import type { Kysely, Selectable } from 'kysely';
import {
  CodeBuildProjectExistsError,
  type CodeBuildProjectRecord,
  type CodeBuildProjectStore,
} from './codebuild-project-store.js';
import type { Database } from './schema.js';

/** Kysely table type of the table made by codebuild-migration.ts. */
type CodeBuildTables = {
  codebuild_projects: {
    name: string;
    project_json: string;
    created_ms: number;
    updated_ms: number;
  };
};

type ProjectRow = Selectable<CodeBuildTables['codebuild_projects']>;

const record = (r: ProjectRow): CodeBuildProjectRecord => ({
  name: r.name,
  project: JSON.parse(r.project_json) as Record<string, unknown>,
  createdMs: r.created_ms,
  updatedMs: r.updated_ms,
});

/** The CodeBuildProjectStore over a database; `isUniqueViolation` comes from the dialect. */
export function createCodeBuildProjectStore(
  database: Kysely<Database>,
  isUniqueViolation: (error: unknown) => boolean,
): CodeBuildProjectStore {
  const db = database.withTables<CodeBuildTables>();
  return {
    async create(p) {
      await db
        .insertInto('codebuild_projects')
        .values({
          name: p.name,
          project_json: JSON.stringify(p.project),
          created_ms: p.createdMs,
          updated_ms: p.updatedMs,
        })
        .execute()
        .catch((error: unknown) => {
          if (isUniqueViolation(error)) throw new CodeBuildProjectExistsError(p.name);
          throw error;
        });
    },

    async get(name) {
      const row = await db
        .selectFrom('codebuild_projects')
        .selectAll()
        .where('name', '=', name)
        .executeTakeFirst();
      return row && record(row);
    },

    async list() {
      const rows = await db.selectFrom('codebuild_projects').selectAll().orderBy('name').execute();
      return rows.map(record);
    },

    async delete(name) {
      const result = await db
        .deleteFrom('codebuild_projects')
        .where('name', '=', name)
        .executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
  };
}
