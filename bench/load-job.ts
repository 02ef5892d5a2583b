/**
 * The messages between the orchestrator and the load-client process: one job in, one result
 * out. Buffers travel as strings because the IPC channel carries JSON.
 */
import type { DatabaseBackends } from './cpu-time.js';
import type { Endpoint } from './signed-request.js';
import type { SigningCredentials } from './sigv4-signer.js';

export interface LoadJob {
  kind: 'run';
  endpoint: Endpoint;
  credentials: SigningCredentials;
  region: string;
  target: string;
  /** The request body, JSON text. */
  body: string;
  /** Requests kept in flight at once, one keep-alive connection each. */
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  timeoutMs: number;
  /** The server's process id, whose CPU time is sampled over the measured window. */
  serverPid: number;
  /** PostgreSQL backends on this machine to sample too; absent for SQLite and the floor. */
  database?: DatabaseBackends;
}

export interface LoadResult {
  kind: 'result';
  /** Responses to requests started inside the measured window, errors included. */
  requests: number;
  /** Of those, the ones that were not HTTP 200 or got no answer. */
  errors: number;
  /** A few distinct error descriptions (status, error type), for the report. */
  errorSamples: string[];
  elapsedMs: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time over the window, in percent of one core; null where /proc is unreadable. */
  clientCpuPct: number;
  serverCpuPct: number | null;
  /** The database's backends (PostgreSQL on this machine only); null otherwise. */
  databaseCpuPct: number | null;
  /** Busy share of all cores of the machine over the window (PostgreSQL included). */
  machineBusyPct: number | null;
}

export interface LoadFailure {
  kind: 'failure';
  message: string;
}
