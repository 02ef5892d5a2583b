import { sql, type Kysely } from 'kysely';
import { DatabaseInUseError } from '../root-sealed-store.js';
import type { Database } from '../schema.js';

/**
 * Takes the SQLite file for this connection alone until it closes. In EXCLUSIVE locking mode
 * the first write lock is never given back; SQLite grants it only while no other connection
 * has the file open (a server keeps its connection open, busy or idle), and once held it keeps
 * any other process, a starting server included, from reading the file. It waits for another
 * process under the busy timeout, then refuses.
 */
export async function claimSqliteExclusiveUse(db: Kysely<Database>): Promise<void> {
  await db.connection().execute(async (conn) => {
    await sql`pragma locking_mode = exclusive`.execute(conn);
    try {
      await sql`begin exclusive`.execute(conn);
      await sql`commit`.execute(conn);
    } catch (error) {
      await sql`pragma locking_mode = normal`.execute(conn);
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
      throw new DatabaseInUseError(
        'another process has the SQLite database open (a running lockstep server?): ' +
          'stop every server using it first',
        { cause: error },
      );
    }
  });
}
