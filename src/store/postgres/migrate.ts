import type { Kysely } from 'kysely';
import { runMigrations } from '../run-migrations.js';
import type { Database } from '../schema.js';
import { postgresMigrations } from './migrations.js';

/**
 * Applies pending PostgreSQL migrations. Safe from several processes at once as it stands:
 * Kysely's migrator creates its bookkeeping tables with IF NOT EXISTS (re-checking when a
 * concurrent CREATE loses the race), then runs all pending migrations in one transaction while
 * holding a session advisory lock (pg_advisory_lock, scoped to this database), so a second
 * process waits and then finds nothing pending. The contract test runs two processes at once.
 */
export async function migratePostgres(db: Kysely<Database>): Promise<void> {
  await runMigrations(db, postgresMigrations);
}
