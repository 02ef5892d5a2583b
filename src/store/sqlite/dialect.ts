import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../schema.js';

/** How long a writer waits for another process's write lock before SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/** Opens (creating if absent) the SQLite state file, in WAL mode with foreign keys on. */
export function createSqliteKysely(file: string): Kysely<Database> {
  // The busy timeout is set by the constructor before any statement runs, so that even the
  // journal-mode switch below waits for a second process opening the same new file.
  const database = new SqliteDatabase(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  // WAL lets readers proceed while one writer commits; it is a property of the file, so
  // setting it again on every open is a no-op after the first.
  switchToWal(database);
  // Off by default in SQLite and per connection: without it ON DELETE CASCADE does nothing.
  database.pragma('foreign_keys = ON');
  cachePreparedStatements(database);
  return new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
}

/**
 * Sets WAL mode, retrying SQLITE_BUSY: when two processes open a new file at once, SQLite
 * can refuse the journal-mode switch without calling the busy handler, so the timeout above
 * does not cover it (seen in the two-process migration test, about one run in six).
 */
function switchToWal(database: SqliteDatabase.Database): void {
  const deadline = Date.now() + SQLITE_BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      database.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
      // A synchronous pause: this runs once per process, while opening the store.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite dialect prepares every query anew; preparing costs as much as running the
 * statement (measured: about half of the store's time per request). The same few hundred SQL
 * texts recur, so prepared statements are kept by text and reused. Reuse is safe because
 * better-sqlite3 runs each statement to completion synchronously before the next call.
 */
function cachePreparedStatements(database: SqliteDatabase.Database): void {
  const prepare = database.prepare.bind(database);
  const cache = new Map<string, SqliteDatabase.Statement>();
  database.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (!statement) {
      statement = prepare(source);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
      cache.set(source, statement);
    }
    return statement;
  }) as typeof database.prepare;
}
