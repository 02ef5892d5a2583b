/**
 * Named locks across server replicas: a PostgreSQL session advisory lock held on a connection
 * of a small pool of its own while the caller's work runs on the main pool. Separate pools,
 * because lock holders waiting for a main-pool connection while holding all of them would
 * deadlock.
 */
import pg from 'pg';

const LOCK_POOL_MAX_CONNECTIONS = 4;

export interface NamedLocks {
  run<T>(name: string, section: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Advisory locks on the database a URL names. */
export function createPostgresNamedLocks(databaseUrl: string): NamedLocks {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: LOCK_POOL_MAX_CONNECTIONS,
    application_name: 'lockstep-locks',
  });
  pool.on('error', () => {});
  return {
    async run<T>(name: string, section: () => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        // hashtextextended: a 64-bit key from the name, the space pg_advisory_lock takes.
        await client.query('select pg_advisory_lock(hashtextextended($1, 0))', [name]);
        try {
          return await section();
        } finally {
          await client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [name]);
        }
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
