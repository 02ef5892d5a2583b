/**
 * A fresh PostgreSQL database for one benchmark run, on the server LOCKSTEP_TEST_DATABASE_URL
 * names, dropped afterwards (also on failure or Ctrl-C, through cleanup.ts).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { addCleanup } from './cleanup.js';
import { processInfo, type DatabaseBackends } from './cpu-time.js';

export interface BenchDatabase {
  url: string;
  /** `PostgreSQL 15.18` and the like, for the report. */
  serverVersion: string;
  /** Set when the server runs on this machine, so its backends' CPU can be sampled. */
  backends: DatabaseBackends | undefined;
  drop(): Promise<void>;
}

/** Creates the database and registers its drop. */
export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `lockstep_bench_${randomBytes(6).toString('hex')}`;
  const serverVersion = await withClient(serverUrl, async (client) => {
    await client.query(`create database ${name}`);
    const result = await client.query<{ server_version: string }>('show server_version');
    return `PostgreSQL ${result.rows[0]?.server_version ?? '?'}`;
  });
  const drop = addCleanup(() => dropDatabase(serverUrl, name));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const backends = await findLocalBackends(url.toString(), name);
  return { url: url.toString(), serverVersion, backends, drop };
}

// A backend's pid means something here only if the server runs on this machine: the process
// with that pid must carry the database's name in its title ("postgres: user db host ...").
async function findLocalBackends(url: string, name: string): Promise<DatabaseBackends | undefined> {
  // Read while the session is open: the backend exits with it.
  const backend = await withClient(url, async (client) => {
    const result = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    const pid = result.rows[0]?.pid;
    return pid === undefined ? null : processInfo(pid);
  }).catch(() => null);
  if (backend === null || !backend.cmdline.includes(name)) return undefined;
  return { postmasterPid: backend.parentPid, title: name };
}

// WITH (FORCE) ends connections a killed server left behind, but not an autovacuum worker
// (it belongs to the superuser), and one is often busy with the freshly written tables. It
// finishes within moments, so a few retries suffice.
const DROP_ATTEMPTS = 20;
const DROP_RETRY_MS = 250;
const INSUFFICIENT_PRIVILEGE = '42501';
const OBJECT_IN_USE = '55006';

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await withClient(serverUrl, (client) =>
        client.query(`drop database if exists ${name} with (force)`),
      );
      return;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const retriable = code === INSUFFICIENT_PRIVILEGE || code === OBJECT_IN_USE;
      if (!retriable || attempt >= DROP_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, DROP_RETRY_MS));
    }
  }
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
