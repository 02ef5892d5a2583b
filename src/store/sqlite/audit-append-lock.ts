import type { Transaction } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Nothing to do on SQLite: it admits one writer at a time, so sequence numbers are assigned in
 * commit order already.
 */
export function lockSqliteAuditAppend(_trx: Transaction<Database>): Promise<void> {
  return Promise.resolve();
}
