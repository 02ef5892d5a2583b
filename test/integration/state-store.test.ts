/**
 * The StateStore contract on SQLite (always) and PostgreSQL (when LOCKSTEP_TEST_DATABASE_URL
 * points at a server where the role may CREATE DATABASE; scripts/start-test-postgres.sh starts
 * a throwaway one). Each test gets its own fresh database, so test files can run in parallel.
 *
 * One test spawns node processes that import dist/: `npm test` builds first; when running
 * vitest directly, run `npx tsc -p tsconfig.build.json` before it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { describeStateStoreContract, type StoreTarget } from './state-store-contract.js';

describeStateStoreContract('sqlite', async (): Promise<StoreTarget> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lockstep-state-'));
  return {
    options: { dataDir },
    migrationNames: () => {
      const db = new SqliteDatabase(join(dataDir, 'state.db'), { readonly: true });
      try {
        const rows = db.prepare('select name from kysely_migration order by name').all();
        return Promise.resolve(rows.map((row) => (row as { name: string }).name));
      } finally {
        db.close();
      }
    },
    dispose: () => rm(dataDir, { recursive: true, force: true }),
  };
});

const postgresUrl = process.env.LOCKSTEP_TEST_DATABASE_URL;
if (postgresUrl === undefined || postgresUrl === '') {
  console.warn('PostgreSQL tests skipped: set LOCKSTEP_TEST_DATABASE_URL');
  describe.skip('StateStore on postgres', () => {
    it('needs LOCKSTEP_TEST_DATABASE_URL', () => {});
  });
} else {
  describePostgres(postgresUrl);
}

function describePostgres(serverUrl: string): void {
  // One admin connection per file creates and drops this file's databases.
  const admin = new pg.Client({ connectionString: serverUrl });
  const prefix = `lockstep_test_${randomBytes(4).toString('hex')}`;
  let counter = 0;
  beforeAll(() => admin.connect());
  afterAll(() => admin.end());

  describeStateStoreContract('postgres', async (): Promise<StoreTarget> => {
    const name = `${prefix}_${++counter}`;
    await createDatabase(admin, name);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return {
      options: { dataDir: '/nonexistent-unused', databaseUrl: url.toString() },
      migrationNames: async () => {
        const client = new pg.Client({ connectionString: url.toString() });
        await client.connect();
        try {
          const result = await client.query<{ name: string }>(
            'select name from kysely_migration order by name',
          );
          return result.rows.map((row) => row.name);
        } finally {
          await client.end();
        }
      },
      // FORCE: a test that failed half-way may have left a store open.
      dispose: async () => {
        await admin.query(`drop database if exists ${name} with (force)`);
      },
    };
  });
}

/**
 * Creates an empty database that sorts text by English rules where the server has ICU, as
 * production databases often do: the listing test then shows that names still come back in
 * byte order (the schema's COLLATE "C"), not in the database's locale order.
 */
async function createDatabase(admin: pg.Client, name: string): Promise<void> {
  try {
    await admin.query(
      `create database ${name} template template0 locale_provider icu icu_locale 'en-US'`,
    );
  } catch {
    await admin.query(`create database ${name}`);
  }
}
