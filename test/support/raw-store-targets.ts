/**
 * A state store on each engine together with a way to run SQL on its database behind its back,
 * as someone with access to the database file or server could: for tests that tamper with
 * stored rows, or write rows as an older version did. PostgreSQL is included when
 * LOCKSTEP_TEST_DATABASE_URL names a server, and its absence is reported once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { openStateStore } from '../../src/store/open-state-store.js';
import type { StateStore } from '../../src/store/state-store.js';
import { createTestDatabase, reportPostgresSkipped, TEST_DATABASE_URL } from './postgres.js';

export interface RawStoreTarget {
  store: StateStore;
  /** Runs SQL on the database behind the store's back. */
  exec(sql: string): Promise<void>;
  dispose(): Promise<void>;
}

async function sqliteTarget(prefix: string): Promise<RawStoreTarget> {
  const dataDir = await mkdtemp(path.join(tmpdir(), prefix));
  const store = await openStateStore({ dataDir });
  return {
    store,
    exec: (sql) => {
      const db = new SqliteDatabase(path.join(dataDir, 'state.db'));
      db.exec(sql);
      db.close();
      return Promise.resolve();
    },
    dispose: async () => {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function postgresTarget(): Promise<RawStoreTarget> {
  const database = await createTestDatabase();
  const store = await openStateStore({ dataDir: '/nonexistent-unused', databaseUrl: database.url });
  return {
    store,
    exec: async (sql) => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      await client.query(sql);
      await client.end();
    },
    dispose: async () => {
      await store.close();
      await database.drop();
    },
  };
}

/**
 * `[engine, create]` pairs for `describe.each`: SQLite (its data directory named after
 * `prefix`), and PostgreSQL when configured; `testFile` names the file in the skip notice.
 */
export function rawStoreTargets(
  prefix: string,
  testFile: string,
): [string, () => Promise<RawStoreTarget>][] {
  const engines: [string, () => Promise<RawStoreTarget>][] = [
    ['sqlite', () => sqliteTarget(prefix)],
  ];
  if (TEST_DATABASE_URL) engines.push(['postgres', postgresTarget]);
  reportPostgresSkipped(testFile);
  return engines;
}
