import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { KyselyStateStore } from './kysely-state-store.js';
import { lockPostgresAuditAppend } from './postgres/audit-append-lock.js';
import { createPostgresKysely } from './postgres/dialect.js';
import { migratePostgres } from './postgres/migrate.js';
import { createPostgresNamedLocks } from './postgres/named-locks.js';
import { isPostgresUniqueViolation } from './postgres/unique-violation.js';
import { lockSqliteAuditAppend } from './sqlite/audit-append-lock.js';
import { createSqliteKysely } from './sqlite/dialect.js';
import { migrateSqlite } from './sqlite/migrate.js';
import { isSqliteUniqueViolation } from './sqlite/unique-violation.js';
import type { StateStore } from './state-store.js';

export interface OpenStateStoreOptions {
  /** The data directory; the embedded SQLite database is `<dataDir>/state.db`. */
  dataDir: string;
  /** A postgres:// or postgresql:// URL selects PostgreSQL; absent means embedded SQLite. */
  databaseUrl?: string;
}

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/** Opens the state store the options select and applies its pending migrations. */
export async function openStateStore(options: OpenStateStoreOptions): Promise<StateStore> {
  const store = await createStore(options);
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

async function createStore(options: OpenStateStoreOptions): Promise<StateStore> {
  const { databaseUrl } = options;
  if (databaseUrl !== undefined && databaseUrl !== '') {
    if (!POSTGRES_URL.test(databaseUrl)) {
      // Never echo the URL: it usually carries a password.
      throw new Error('database URL must start with postgres:// or postgresql://');
    }
    const locks = createPostgresNamedLocks(databaseUrl);
    return new KyselyStateStore(createPostgresKysely(databaseUrl), {
      name: 'postgres',
      migrate: migratePostgres,
      isUniqueViolation: isPostgresUniqueViolation,
      lockAuditAppend: lockPostgresAuditAppend,
      withLock: (name, section) => locks.run(name, section),
      close: () => locks.close(),
    });
  }
  // 0700 when we create it: the data directory also holds keys and credentials (DESIGN.md 4).
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  return new KyselyStateStore(createSqliteKysely(join(options.dataDir, 'state.db')), {
    name: 'sqlite',
    migrate: migrateSqlite,
    isUniqueViolation: isSqliteUniqueViolation,
    lockAuditAppend: lockSqliteAuditAppend,
    // One process owns an SQLite file (the server's in-process locks cover it), so a named
    // lock has nothing more to exclude.
    withLock: (_name, section) => section(),
    close: () => Promise.resolve(),
  });
}
