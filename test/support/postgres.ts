/**
 * PostgreSQL for tests: LOCKSTEP_TEST_DATABASE_URL names a server (.ci/run starts one with
 * scripts/start-test-postgres.sh). Each caller gets its own fresh database on it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const TEST_DATABASE_URL = process.env.LOCKSTEP_TEST_DATABASE_URL;

/** Says plainly, once per file, that PostgreSQL tests are skipped here. */
export function reportPostgresSkipped(what: string): void {
  if (!TEST_DATABASE_URL) {
    console.warn(`${what}: PostgreSQL tests skipped: set LOCKSTEP_TEST_DATABASE_URL`);
  }
}

/** Creates a fresh database on the test server; drop() removes it even if still in use. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!TEST_DATABASE_URL) throw new Error('LOCKSTEP_TEST_DATABASE_URL is not set');
  const name = `lockstep_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
