import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../schema.js';

/** Connections per server process; each API call holds one only for its transaction. */
const POOL_MAX_CONNECTIONS = 10;

/** Parses a BIGINT, refusing a value a JS number cannot hold exactly rather than rounding it. */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`bigint ${text} does not fit in a JavaScript number`);
  }
  return value;
}

/** Creates a Kysely over a pg Pool for a postgres:// URL, with BIGINTs read as numbers. */
export function createPostgresKysely(databaseUrl: string): Kysely<Database> {
  // Per-pool type overrides, not pg.types.setTypeParser: that would change every other pg user
  // in the process. pg returns BIGINT as a string by default; our BIGINTs are epoch ms and
  // sequence numbers, far below 2^53.
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, 'text', parseInt8);
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    types,
    max: POOL_MAX_CONNECTIONS,
    application_name: 'lockstep',
  });
  // An idle connection that the server drops (restart, failover) is reported here; without a
  // listener the process would crash. The pool discards it and the next query reconnects.
  pool.on('error', () => {});
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
