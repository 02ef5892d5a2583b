/**
 * What `audit verify --endpoint-url` remembers per endpoint between runs, in a small JSON file
 * (default ~/.lockstep/audit-seen.json): the audit public keys pinned on first use, and the
 * largest signed checkpoint it has verified. A server that later offers fewer records than
 * that checkpoint, or another root at its size, is caught even if it dropped its checkpoints.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type { AuditCheckpointRecord } from '../store/state-store.js';

/** A public key trusted for one endpoint's checkpoints. */
export interface PinnedAuditKey {
  keyId: string;
  /** SPKI PEM. */
  publicKey: string;
}

/** A checkpoint verified against the records it covers, and when. */
export interface SeenCheckpoint extends AuditCheckpointRecord {
  seenMs: number;
}

/** What is remembered about one endpoint. */
export interface SeenEndpoint {
  publicKeys: PinnedAuditKey[];
  checkpoint?: SeenCheckpoint;
}

interface SeenStateFile {
  version: 1;
  endpoints: Record<string, SeenEndpoint>;
}

/** The state file used when `--state-file` is not given. */
export function defaultSeenStateFile(): string {
  return path.join(homedir(), '.lockstep', 'audit-seen.json');
}

/** What `file` remembers about `endpoint`; undefined when nothing (or no file). */
export async function readSeenEndpoint(
  file: string,
  endpoint: string,
): Promise<SeenEndpoint | undefined> {
  return (await readStateFile(file)).endpoints[endpoint];
}

/**
 * Merges `seen` into what `file` remembers about `endpoint` and writes it back atomically:
 * keys are added, never removed, and the checkpoint kept is the larger one, so a run that
 * saw less (or a concurrent run) can never make the file forget a bigger checkpoint.
 */
export async function rememberSeenEndpoint(
  file: string,
  endpoint: string,
  seen: SeenEndpoint,
): Promise<void> {
  const state = await readStateFile(file);
  const before = state.endpoints[endpoint];
  const keys = new Map((before?.publicKeys ?? []).map((k) => [k.keyId, k]));
  for (const key of seen.publicKeys) if (!keys.has(key.keyId)) keys.set(key.keyId, key);
  const checkpoint =
    before?.checkpoint !== undefined &&
    (seen.checkpoint === undefined || before.checkpoint.treeSize >= seen.checkpoint.treeSize)
      ? before.checkpoint
      : seen.checkpoint;
  state.endpoints[endpoint] = {
    publicKeys: [...keys.values()],
    ...(checkpoint === undefined ? {} : { checkpoint }),
  };
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // Written beside and renamed over, so a crash never leaves half a file that loses the pins.
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  await rename(temporary, file);
}

async function readStateFile(file: string): Promise<SeenStateFile> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return { version: 1, endpoints: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  // A file that is not what this code wrote must not silently drop the pins it should hold.
  if (!isStateFile(parsed)) throw new Error(`${file} is not an audit-seen state file`);
  return parsed;
}

function isStateFile(value: unknown): value is SeenStateFile {
  if (!isObject(value) || value.version !== 1 || !isObject(value.endpoints)) return false;
  return Object.values(value.endpoints).every(
    (entry) =>
      isObject(entry) &&
      Array.isArray(entry.publicKeys) &&
      entry.publicKeys.every(
        (k) => isObject(k) && typeof k.keyId === 'string' && typeof k.publicKey === 'string',
      ) &&
      (entry.checkpoint === undefined || isCheckpoint(entry.checkpoint)),
  );
}

function isCheckpoint(value: unknown): value is SeenCheckpoint {
  return (
    isObject(value) &&
    Number.isSafeInteger(value.treeSize) &&
    typeof value.rootHash === 'string' &&
    typeof value.signature === 'string' &&
    typeof value.keyId === 'string' &&
    Number.isSafeInteger(value.createdMs) &&
    Number.isSafeInteger(value.seenMs)
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
