/**
 * Options of `lockstep serve`, compiled once (ServeOptions → CompiledServeOptions): every
 * flag has an environment equivalent, defaults come from DESIGN.md section 3, and every
 * refusal (a bad port, a public address without TLS) happens here, before anything starts.
 */
import path from 'node:path';
import { isIP } from 'node:net';
import { DEFAULT_ARTIFACT_RETENTION } from '../artifacts/object-artifact-store.js';
import type { S3StorageLocation } from '../objects/s3-envelope-storage.js';
import type { DefaultRetention } from '../store/object-metadata-store.js';
import { checkGitTransport } from '../providers/git-source/git-transport.js';
import { compileArtifactStoreUrl } from './artifact-store-url.js';

/** Options as the user gave them, from flags or the environment; all optional. */
export interface ServeOptions {
  dataDir?: string;
  host?: string;
  port?: string | number;
  databaseUrl?: string;
  accountId?: string;
  region?: string;
  tlsCert?: string;
  tlsKey?: string;
  insecureHttp?: boolean;
  rootKeyFile?: string;
  rootKeyEnv?: string;
  artifactDir?: string;
  artifactStore?: string;
  artifactRetentionDays?: string | number;
  gitCaFile?: string;
  gitCredentialsFile?: string;
  gitSshKeyFile?: string;
  gitKnownHostsFile?: string;
  allowPlaintextCredentials?: boolean;
}

export interface CompiledServeOptions {
  dataDir: string;
  host: string;
  port: number;
  databaseUrl: string | undefined;
  accountId: string | undefined;
  region: string;
  tls: { certPath: string; keyPath: string } | undefined;
  rootKeyFile: string | undefined;
  /** The environment variable the root key comes from instead of a file (--root-key-env). */
  rootKeyEnv: string | undefined;
  /**
   * Where artifacts are stored: DIR/artifacts, or a directory replicas share (one host, or a
   * shared mount) when several serve one database.
   */
  artifactDir: string;
  /**
   * An external S3-compatible bucket that keeps the object store's sealed bytes (and so every
   * artifact) instead of local files (--artifact-store s3://bucket?endpoint=URL).
   */
  artifactStore: S3StorageLocation | undefined;
  /**
   * The GOVERNANCE default retention of the artifact buckets Lockstep creates (object lock on);
   * null when the operator set --artifact-retention-days 0.
   */
  artifactRetention: DefaultRetention | null;
  /** Largest request body accepted; CodePipeline declarations of 500 actions fit well inside. */
  maxBodyBytes: number;
  /** How long a built-in worker's claim on a job lasts without renewal (LOCKSTEP_JOB_LEASE_SECONDS). */
  jobLeaseMs: number;
  /** How often overdue jobs are swept and other replicas' jobs polled. */
  sweepIntervalMs: number;
  /** Actions this server runs at once (LOCKSTEP_WORKERS). */
  workerConcurrency: number;
  /** How often git sources are polled for new commits (LOCKSTEP_SOURCE_POLL_SECONDS). */
  sourcePollMs: number;
  /** ThirdParty action types wait for partner workers (LOCKSTEP_THIRD_PARTY_WORKERS=true). */
  thirdPartyWorkers: boolean;
  /**
   * Whether CreatePipeline and UpdatePipeline accept a value shaped like a credential outside a
   * secret property (pipelines/plaintext-credentials.ts); refused unless the operator says so.
   */
  allowPlaintextCredentials: boolean;
  /**
   * How git sources reach https and ssh hosts, for every connection of this server (absolute
   * paths): CA bundle, git-credentials file, ssh private key, ssh known hosts.
   */
  gitTransport: {
    caFile?: string;
    credentialsFile?: string;
    sshKeyFile?: string;
    knownHostsFile?: string;
  };
}

/** The environment variable that stands in for each option. */
export const SERVE_ENVIRONMENT: Record<keyof ServeOptions, string> = {
  dataDir: 'LOCKSTEP_DATA_DIR',
  host: 'LOCKSTEP_HOST',
  port: 'LOCKSTEP_PORT',
  databaseUrl: 'LOCKSTEP_DATABASE_URL',
  accountId: 'LOCKSTEP_ACCOUNT_ID',
  region: 'LOCKSTEP_REGION',
  tlsCert: 'LOCKSTEP_TLS_CERT',
  tlsKey: 'LOCKSTEP_TLS_KEY',
  insecureHttp: 'LOCKSTEP_INSECURE_HTTP',
  rootKeyFile: 'LOCKSTEP_ROOT_KEY_FILE',
  rootKeyEnv: 'LOCKSTEP_ROOT_KEY_ENV',
  artifactDir: 'LOCKSTEP_ARTIFACT_DIR',
  artifactStore: 'LOCKSTEP_ARTIFACT_STORE',
  artifactRetentionDays: 'LOCKSTEP_ARTIFACT_RETENTION_DAYS',
  gitCaFile: 'LOCKSTEP_GIT_CA_FILE',
  gitCredentialsFile: 'LOCKSTEP_GIT_CREDENTIALS_FILE',
  gitSshKeyFile: 'LOCKSTEP_GIT_SSH_KEY_FILE',
  gitKnownHostsFile: 'LOCKSTEP_GIT_KNOWN_HOSTS_FILE',
  allowPlaintextCredentials: 'LOCKSTEP_ALLOW_PLAINTEXT_CREDENTIALS',
};

/** Thrown for options that cannot work; the CLI prints the message and exits 2. */
export class InvalidOptionError extends Error {}

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** Merges flags over the environment over defaults, and refuses what cannot work. */
export function compileServeOptions(
  flags: ServeOptions,
  env: NodeJS.ProcessEnv = process.env,
): CompiledServeOptions {
  const pick = <K extends keyof ServeOptions>(key: K): string | undefined => {
    const fromFlag = flags[key];
    if (fromFlag !== undefined && fromFlag !== false) return String(fromFlag);
    const fromEnv = env[SERVE_ENVIRONMENT[key]];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };
  const host = pick('host') ?? '127.0.0.1';
  const port = compilePort(pick('port') ?? '7700');
  const accountId = pick('accountId');
  if (accountId !== undefined && !/^\d{12}$/.test(accountId)) {
    throw new InvalidOptionError(`--account-id must be 12 digits, got '${accountId}'`);
  }
  const region = pick('region') ?? 'us-east-1';
  if (!REGION_PATTERN.test(region)) {
    throw new InvalidOptionError(`--region must look like us-east-1, got '${region}'`);
  }
  const tls = compileTls(pick('tlsCert'), pick('tlsKey'));
  const insecureHttp = isYes(pick('insecureHttp'));
  if (!tls && !isLoopback(host) && !insecureHttp) {
    throw new InvalidOptionError(
      `refusing to serve plain HTTP on ${host}, which is not a loopback address: ` +
        'give --tls-cert and --tls-key, or say --insecure-http if a proxy in front terminates TLS',
    );
  }
  const rootKeyFile = pick('rootKeyFile');
  const rootKeyEnv = pick('rootKeyEnv');
  if (rootKeyFile !== undefined && rootKeyEnv !== undefined) {
    throw new InvalidOptionError('give --root-key-file or --root-key-env, not both');
  }
  if (rootKeyEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(rootKeyEnv)) {
    throw new InvalidOptionError(
      `--root-key-env must name an environment variable, got '${rootKeyEnv}'`,
    );
  }
  const dataDir = path.resolve(pick('dataDir') ?? '.lockstep');
  const artifactDir = pick('artifactDir');
  const artifactStore = pick('artifactStore');
  return {
    dataDir,
    artifactDir:
      artifactDir === undefined ? path.join(dataDir, 'artifacts') : path.resolve(artifactDir),
    artifactStore: artifactStore === undefined ? undefined : compileStorage(artifactStore, env),
    artifactRetention: compileRetention(pick('artifactRetentionDays')),
    host,
    port,
    databaseUrl: compileDatabaseUrl(pick('databaseUrl')),
    accountId,
    region,
    tls,
    rootKeyFile: rootKeyFile === undefined ? undefined : path.resolve(rootKeyFile),
    rootKeyEnv,
    maxBodyBytes: 2 * 1024 * 1024,
    jobLeaseMs:
      positiveNumber(env.LOCKSTEP_JOB_LEASE_SECONDS, 30, 'LOCKSTEP_JOB_LEASE_SECONDS') * 1000,
    sweepIntervalMs: 1000,
    workerConcurrency: positiveNumber(env.LOCKSTEP_WORKERS, 4, 'LOCKSTEP_WORKERS'),
    thirdPartyWorkers: ['1', 'true', 'yes'].includes(
      (env.LOCKSTEP_THIRD_PARTY_WORKERS ?? '').toLowerCase(),
    ),
    sourcePollMs:
      positiveNumber(env.LOCKSTEP_SOURCE_POLL_SECONDS, 30, 'LOCKSTEP_SOURCE_POLL_SECONDS') * 1000,
    gitTransport: compileGitTransport(pick),
    allowPlaintextCredentials: isYes(pick('allowPlaintextCredentials')),
  };
}

/** A boolean flag, or its environment variable set to 1, true or yes. */
function isYes(value: string | undefined): boolean {
  return ['1', 'true', 'yes'].includes((value ?? '').toLowerCase());
}

function compileGitTransport(pick: (key: keyof ServeOptions) => string | undefined) {
  const file = (key: keyof ServeOptions) => {
    const value = pick(key);
    return value === undefined ? undefined : path.resolve(value);
  };
  const transport = {
    caFile: file('gitCaFile'),
    credentialsFile: file('gitCredentialsFile'),
    sshKeyFile: file('gitSshKeyFile'),
    knownHostsFile: file('gitKnownHostsFile'),
  };
  const given = Object.fromEntries(Object.entries(transport).filter(([, v]) => v !== undefined));
  try {
    checkGitTransport(given);
  } catch (error) {
    throw new InvalidOptionError((error as Error).message);
  }
  return given;
}

/** S3's longest default retention: 100 years. */
const MAX_RETENTION_DAYS = 36_500;

function compileRetention(raw: string | undefined): DefaultRetention | null {
  if (raw === undefined) return DEFAULT_ARTIFACT_RETENTION;
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 0 || days > MAX_RETENTION_DAYS) {
    throw new InvalidOptionError(
      `--artifact-retention-days must be a whole number of days from 0 to ${MAX_RETENTION_DAYS}, got '${raw}'`,
    );
  }
  return days === 0 ? null : { mode: 'GOVERNANCE', days };
}

function compileStorage(raw: string, env: NodeJS.ProcessEnv): S3StorageLocation {
  try {
    return compileArtifactStoreUrl(raw, env, isLoopback);
  } catch (error) {
    throw new InvalidOptionError((error as Error).message);
  }
}

function positiveNumber(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionError(`${name} must be a positive number, got '${raw}'`);
  }
  return value;
}

function compilePort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidOptionError(`--port must be a number from 0 to 65535, got '${raw}'`);
  }
  return port;
}

function compileTls(cert: string | undefined, key: string | undefined) {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) {
    throw new InvalidOptionError('--tls-cert and --tls-key must be given together');
  }
  return { certPath: path.resolve(cert), keyPath: path.resolve(key) };
}

function compileDatabaseUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new InvalidOptionError(
      '--database-url must be a postgres:// or postgresql:// URL (SQLite is the default without it)',
    );
  }
  return url;
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}
