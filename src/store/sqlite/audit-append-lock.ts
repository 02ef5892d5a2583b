import { sql, type Transaction } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Takes SQLite's write lock before the append reads the chain head. SQLite admits one writer
 * at a time, but a deferred transaction that reads first and writes later fails at once with
 * SQLITE_BUSY if another connection wrote in between; a write that changes nothing takes the
 * lock up front, waiting under the busy timeout like any other writer.
 */
export async function lockSqliteAuditAppend(trx: Transaction<Database>): Promise<void> {
  await sql`update audit_events set sequence = sequence where 0`.execute(trx);
}
