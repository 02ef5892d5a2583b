import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import type { Database } from '../schema.js';

/** Advisory lock key for audit appends ('LSAUDIT' in ASCII), private to this database. */
const AUDIT_APPEND_LOCK_KEY = 0x4c534155444954n;

/**
 * Serializes audit appends across connections and replicas until the transaction ends.
 * Why: an identity column hands out numbers at insert, not at commit, so without this a reader
 * paging with listAudit(afterSequence) could see 8 committed before 7 and skip 7 for ever.
 */
export async function lockPostgresAuditAppend(trx: Transaction<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${sql.lit(AUDIT_APPEND_LOCK_KEY)})`.execute(trx);
}
