import { sql, type Kysely, type QueryExecutorProvider } from 'kysely';
import { DatabaseInUseError } from '../root-sealed-store.js';
import type { Database } from '../schema.js';

/**
 * Refuses while any other session is connected to this database. A running server always has
 * connections open (its sweeps query every second), so this finds replicas that are still up;
 * it cannot keep one from starting afterwards, which lockPostgresRootSealedTables covers for
 * the length of the transaction. The caller must run this before its pool opens a second
 * connection of its own, as every other connection counts.
 */
export async function claimPostgresExclusiveUse(db: Kysely<Database>): Promise<void> {
  const { rows } = await sql<{ name: string; sessions: number }>`
    select coalesce(nullif(application_name, ''), 'unnamed') as name, count(*)::int as sessions
    from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid()
      and backend_type = 'client backend'
    group by 1 order by 1`.execute(db);
  if (rows.length === 0) return;
  const who = rows.map((row) => `${row.sessions} ${row.name}`).join(', ');
  throw new DatabaseInUseError(
    `other sessions are connected to the PostgreSQL database (${who}; 'lockstep' is a ` +
      'server): stop every server and client using it first',
  );
}

/**
 * Locks the root-sealed tables against every other session until the transaction ends, reads
 * included: a server starting meanwhile waits, then reads values already re-sealed (and
 * finishes the key file's replacement itself, src/kms/root-key-rotation.ts).
 */
export async function lockPostgresRootSealedTables(trx: QueryExecutorProvider): Promise<void> {
  await sql`lock table access_keys, kms_key_materials, iam_mfa_devices, sts_sessions
    in access exclusive mode`.execute(trx);
}
