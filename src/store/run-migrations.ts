import { Migrator } from 'kysely';
import type { Kysely, Migration } from 'kysely';

/** Applies every pending migration from an in-code list; returns the names it applied. */
export async function runMigrations<DB>(
  db: Kysely<DB>,
  migrations: Readonly<Record<string, Migration>>,
): Promise<string[]> {
  const migrator = new Migrator({
    db,
    // In code, not read from a folder: the build output and a bundled CLI need no file layout.
    provider: { getMigrations: () => Promise.resolve({ ...migrations }) },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    const what = failed === undefined ? 'state store migration' : `state store migration ${failed}`;
    throw new Error(`${what} failed`, { cause: error });
  }
  return (results ?? []).map((result) => result.migrationName);
}
