import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { runMigrations } from '../run-migrations.js';
import type { Database } from '../schema.js';
import { sqliteMigrations } from './migrations.js';

/**
 * Applies pending SQLite migrations inside one BEGIN IMMEDIATE transaction.
 *
 * Why: Kysely's migrator takes no lock on SQLite and runs each migration outside a
 * transaction, so two processes starting at once would both see 0001 pending and both run it.
 * Wrapping the whole run in a transaction alone is not enough: a deferred BEGIN reads first
 * and then upgrades to a write lock, and if the other process wrote in between SQLite answers
 * SQLITE_BUSY at once, without waiting (the busy timeout does not apply to a stale snapshot).
 * BEGIN IMMEDIATE takes the write lock before reading anything, waits for it under the busy
 * timeout, and so the second process simply finds nothing pending. This is cheaper and more
 * predictable than retrying the whole migrate with a backoff, and it also makes the run atomic:
 * a crash mid-migration leaves the schema as it was.
 */
export async function migrateSqlite(db: Kysely<Database>): Promise<void> {
  // connection() pins the single connection, so no other query of this process can slip into
  // the transaction while the migrator awaits.
  await db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      await runMigrations(conn, sqliteMigrations);
      await sql`commit`.execute(conn);
    } catch (error) {
      await sql`rollback`.execute(conn);
      throw error;
    }
  });
}
