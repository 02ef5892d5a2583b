/**
 * A real Lockstep server started inside the test process on a free loopback port, with a
 * fresh data directory, and an SDK client signed with its bootstrap administrator's key.
 * Cheaper than spawning bin/lockstep; tests of the process itself use lockstep-process.ts.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { compileServeOptions } from '../../src/config/serve-options.js';
import { startServer, type RunningServer } from '../../src/server/lockstep-server.js';
import { parseCredentials } from './lockstep-process.js';
import { createPipelineRoles, TEST_PIPELINE_ROLES } from './pipeline-role.js';

export interface TestServer {
  server: RunningServer;
  dataDir: string;
  /** The PostgreSQL database it runs on; SQLite in dataDir when absent. */
  databaseUrl?: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  client: CodePipelineClient;
  /** Errors the server logged; a test may assert there were none. */
  loggedErrors: unknown[];
  stop(): Promise<void>;
}

/** Starts a server in this process; stop() it in afterAll. */
export async function startTestServer(
  options: {
    databaseUrl?: string;
    env?: NodeJS.ProcessEnv;
    /** A root key shared with another replica on the same database. */
    rootKeyFile?: string;
    /** An artifact directory shared with another replica. */
    artifactDir?: string;
    /** Credentials to use when this replica did not create the administrator. */
    credentials?: { accessKeyId: string; secretAccessKey: string };
    /** Service roles to create once it listens (pipeline-role.ts); TEST_PIPELINE_ROLES unless given. */
    pipelineRoles?: readonly string[];
  } = {},
): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'lockstep-it-'));
  const loggedErrors: unknown[] = [];
  const compiled = compileServeOptions(
    {
      dataDir,
      port: 0,
      accountId: '123456789012',
      databaseUrl: options.databaseUrl,
      rootKeyFile: options.rootKeyFile,
      artifactDir: options.artifactDir,
    },
    options.env ?? {},
  );
  const server = await startServer(compiled, (_message, error) => loggedErrors.push(error));
  const credentials =
    options.credentials ??
    parseCredentials(await readFile(path.join(dataDir, 'credentials'), 'utf8'));
  await createPipelineRoles(
    { url: server.url, region: 'us-east-1', credentials },
    options.pipelineRoles ?? TEST_PIPELINE_ROLES,
  ).catch(async (error: unknown) => {
    await server.close();
    throw error;
  });
  const client = new CodePipelineClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
  });
  return {
    server,
    dataDir,
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
    credentials,
    client,
    loggedErrors,
    stop: async () => {
      client.destroy();
      await server.close();
    },
  };
}
