/**
 * `lockstep serve`: starts the server with DESIGN.md section 3's options, says where it
 * listens, and shuts down cleanly on SIGTERM or SIGINT (in-flight requests finish, the store
 * closes) before exiting 0.
 */
import path from 'node:path';
import type { Command } from 'commander';
import {
  compileServeOptions,
  InvalidOptionError,
  type CompiledServeOptions,
  type ServeOptions,
} from '../config/serve-options.js';
import { startServer, type RunningServer } from '../server/lockstep-server.js';

/** Adds the `serve` command to the program. */
export function addServeCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('serve')
    .description('start the Lockstep server (embedded SQLite unless --database-url is given)')
    .option(
      '--data-dir <dir>',
      'state, keys and credentials [env LOCKSTEP_DATA_DIR] (default ./.lockstep)',
    )
    .option('--host <host>', 'address to listen on [env LOCKSTEP_HOST] (default 127.0.0.1)')
    .option('--port <port>', 'port to listen on [env LOCKSTEP_PORT] (default 7700)')
    .option('--database-url <url>', 'PostgreSQL URL instead of SQLite [env LOCKSTEP_DATABASE_URL]')
    .option(
      '--account-id <id>',
      '12-digit account id, fixed at first start [env LOCKSTEP_ACCOUNT_ID]',
    )
    .option(
      '--region <region>',
      'region of this installation [env LOCKSTEP_REGION] (default us-east-1)',
    )
    .option('--tls-cert <file>', 'PEM certificate; serve HTTPS (TLS 1.2+) [env LOCKSTEP_TLS_CERT]')
    .option('--tls-key <file>', 'PEM private key for --tls-cert [env LOCKSTEP_TLS_KEY]')
    .option(
      '--insecure-http',
      'allow plain HTTP on a non-loopback address [env LOCKSTEP_INSECURE_HTTP]',
    )
    .option('--root-key-file <file>', 'root key shared by replicas [env LOCKSTEP_ROOT_KEY_FILE]')
    .option(
      '--root-key-env <name>',
      'take the root key (base64) from this environment variable instead of a file ' +
        '[env LOCKSTEP_ROOT_KEY_ENV]',
    )
    .option(
      '--artifact-dir <dir>',
      'artifact store shared by replicas [env LOCKSTEP_ARTIFACT_DIR] (default DIR/artifacts)',
    )
    .option(
      '--artifact-store <url>',
      'keep artifacts and objects in an S3-compatible bucket: s3://bucket[/prefix]?endpoint=URL' +
        '[&region=R], credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY ' +
        '[env LOCKSTEP_ARTIFACT_STORE]',
    )
    .option(
      '--artifact-retention-days <days>',
      'GOVERNANCE retention of artifacts in the buckets Lockstep creates, 0 for none ' +
        '[env LOCKSTEP_ARTIFACT_RETENTION_DAYS] (default 30)',
    )
    .option(
      '--git-ca-file <file>',
      'PEM CAs that https git hosts are verified against [env LOCKSTEP_GIT_CA_FILE]',
    )
    .option(
      '--git-credentials-file <file>',
      'https://user:token@host lines for https git hosts [env LOCKSTEP_GIT_CREDENTIALS_FILE]',
    )
    .option(
      '--git-ssh-key-file <file>',
      'private key for ssh git hosts (mode 0600) [env LOCKSTEP_GIT_SSH_KEY_FILE]',
    )
    .option(
      '--git-known-hosts-file <file>',
      'host keys ssh git hosts must present [env LOCKSTEP_GIT_KNOWN_HOSTS_FILE]',
    )
    .option(
      '--allow-plaintext-credentials',
      'accept pipelines with credential-like values outside secrets [env LOCKSTEP_ALLOW_PLAINTEXT_CREDENTIALS]',
    )
    .action(async (flags: ServeOptions) => {
      setExitCode(await serve(flags));
    });
}

async function serve(flags: ServeOptions): Promise<number> {
  let options;
  try {
    options = compileServeOptions(flags);
  } catch (error) {
    if (error instanceof InvalidOptionError) {
      process.stderr.write(`lockstep serve: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  // Handlers go in before anything starts: a supervisor may send SIGTERM the moment it sees
  // the "listening" line, and the default action would kill the process without closing.
  const shutdown = shutdownSignal();
  let server;
  try {
    server = await startServer(options, logError);
  } catch (error) {
    const reason = error instanceof InvalidOptionError ? error.message : (error as Error).stack;
    process.stderr.write(`lockstep serve: could not start: ${reason}\n`);
    return 1;
  }
  announce(server, options);
  const signal = await shutdown;
  process.stderr.write(`lockstep: ${signal} received, shutting down\n`);
  try {
    await server.close();
    return 0;
  } catch (error) {
    process.stderr.write(`lockstep: shutdown failed: ${String(error)}\n`);
    return 1;
  }
}

function logError(message: string, error: unknown): void {
  process.stderr.write(`lockstep: ${message}: ${(error as Error)?.stack ?? String(error)}\n`);
}

function announce(server: RunningServer, options: CompiledServeOptions): void {
  const state = options.databaseUrl
    ? 'PostgreSQL'
    : `SQLite in ${path.join(options.dataDir, 'state.db')}`;
  process.stderr.write(
    `lockstep: listening on ${server.url} (account ${server.accountId}, ${server.region}; state: ${state})\n`,
  );
  if (server.createdAdmin) {
    const credentials = path.join(options.dataDir, 'credentials');
    process.stderr.write(
      `lockstep: created the bootstrap administrator; its access key is in ${credentials}\n`,
    );
  }
}

/** Resolves with the name of the first SIGTERM or SIGINT. */
function shutdownSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
}
