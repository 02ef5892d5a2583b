/**
 * The trail as a server's GetAuditTrail returns it, as a TrailSource, so that
 * `audit verify --endpoint-url` runs the very verifyTrail that `--data-dir` runs. Nothing the
 * server says is trusted: records are re-hashed, checkpoints re-verified by verifyTrail; this
 * file only checks that each member has the type the store would have given it.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type {
  AuditCheckpointRecord,
  AuditFormatVersion,
  StoredAuditRecord,
} from '../store/state-store.js';
import {
  AUDIT_TRAIL_MAX_RESULTS,
  type GetAuditTrailInput,
  type GetAuditTrailOutput,
} from './audit-trail-pages.js';
import type { TrailSource } from './verify-trail.js';

/** What the source needs of a Lockstep client (src/cli/lockstep-client.ts): one signed call. */
export interface AuditTrailCaller {
  call<T>(operation: string, input: object): Promise<T>;
}

/** The checkpoints a server offers and the key it says it signs them with. */
export interface RemoteTrailHead {
  checkpoints: AuditCheckpointRecord[];
  publicKey: KeyObject;
}

/** Reads a server's trail page by page through GetAuditTrail. */
export class RemoteTrailSource implements TrailSource {
  private head: Promise<RemoteTrailHead> | undefined;

  constructor(private readonly client: AuditTrailCaller) {}

  /** The server's checkpoints and public key, asked once, before any record is read. */
  readHead(): Promise<RemoteTrailHead> {
    this.head ??= this.fetch({ maxResults: 0, includeCheckpoints: true }).then((output) => ({
      checkpoints: list(output.checkpoints, 'checkpoints').map(parseCheckpoint),
      publicKey: parsePublicKey(output.publicKey),
    }));
    return this.head;
  }

  /** The server's checkpoints, as readHead() got them. */
  async listAuditCheckpoints(): Promise<AuditCheckpointRecord[]> {
    return (await this.readHead()).checkpoints;
  }

  /** Records after `afterSequence`, at most `limit`, in as many calls as that takes. */
  async listAudit(afterSequence: number, limit: number): Promise<StoredAuditRecord[]> {
    const records: StoredAuditRecord[] = [];
    let after = afterSequence;
    // verifyTrail takes a short page for the end of the trail, so a page is filled up to
    // `limit` even if the server's maximum is ever smaller than what verifyTrail asks for.
    while (records.length < limit) {
      const wanted = Math.min(limit - records.length, AUDIT_TRAIL_MAX_RESULTS);
      const output = await this.fetch({ afterSequence: after, maxResults: wanted });
      const page = list(output.records, 'records').map(parseRecord);
      records.push(...page);
      const last = page.at(-1);
      if (last === undefined || page.length < wanted || last.sequence <= after) break;
      after = last.sequence;
    }
    return records;
  }

  private fetch(input: GetAuditTrailInput): Promise<Partial<GetAuditTrailOutput>> {
    return this.client.call<Partial<GetAuditTrailOutput>>('GetAuditTrail', input);
  }
}

class MalformedTrailError extends Error {
  constructor(what: string) {
    super(`GetAuditTrail returned a malformed answer: ${what}`);
  }
}

function list(value: unknown, what: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new MalformedTrailError(`${what} is not a list`);
  return value;
}

type Fields = Record<string, unknown>;

function object(value: unknown, what: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedTrailError(`${what} is not an object`);
  }
  return value as Fields;
}

function str(o: Fields, key: string, what: string): string {
  const value = o[key];
  if (typeof value !== 'string') throw new MalformedTrailError(`${what} has no string ${key}`);
  return value;
}

/** A member the store keeps as null, which the wire leaves out. */
function nullableStr(o: Fields, key: string, what: string): string | null {
  return o[key] === undefined || o[key] === null ? null : str(o, key, what);
}

function int(o: Fields, key: string, what: string): number {
  const value = o[key];
  if (!Number.isSafeInteger(value)) throw new MalformedTrailError(`${what} has no integer ${key}`);
  return value as number;
}

function bool(o: Fields, key: string, what: string): boolean {
  const value = o[key];
  if (typeof value !== 'boolean') throw new MalformedTrailError(`${what} has no boolean ${key}`);
  return value;
}

function parseRecord(value: unknown): StoredAuditRecord {
  const o = object(value, 'a record');
  const what = `record ${String(o.sequence)}`;
  return {
    sequence: int(o, 'sequence', what),
    eventId: str(o, 'eventId', what),
    eventTimeMs: int(o, 'eventTimeMs', what),
    eventSource: str(o, 'eventSource', what),
    eventName: str(o, 'eventName', what),
    requestId: str(o, 'requestId', what),
    principalArn: nullableStr(o, 'principalArn', what),
    accessKeyId: nullableStr(o, 'accessKeyId', what),
    sourceIpAddress: str(o, 'sourceIpAddress', what),
    userAgent: str(o, 'userAgent', what),
    readOnly: bool(o, 'readOnly', what),
    errorCode: nullableStr(o, 'errorCode', what),
    errorMessage: nullableStr(o, 'errorMessage', what),
    requestParametersJson: nullableStr(o, 'requestParametersJson', what),
    responseElementsJson: nullableStr(o, 'responseElementsJson', what),
    // A server older than format version 2 sends no version: its records are all version 1.
    formatVersion: o.formatVersion === undefined ? 1 : formatVersion(o, what),
    resourcesJson: nullableStr(o, 'resourcesJson', what),
    prevHash: str(o, 'prevHash', what),
    recordHash: str(o, 'recordHash', what),
  };
}

function formatVersion(o: Fields, what: string): AuditFormatVersion {
  // Any integer passes: the hash refuses a version it does not know, naming the record.
  return int(o, 'formatVersion', what) as AuditFormatVersion;
}

function parseCheckpoint(value: unknown): AuditCheckpointRecord {
  const o = object(value, 'a checkpoint');
  const what = `checkpoint ${String(o.treeSize)}`;
  return {
    treeSize: int(o, 'treeSize', what),
    rootHash: str(o, 'rootHash', what),
    signature: str(o, 'signature', what),
    keyId: str(o, 'keyId', what),
    createdMs: int(o, 'createdMs', what),
  };
}

function parsePublicKey(value: unknown): KeyObject {
  // The key id the server sends is ignored: the verifier computes it from the key itself.
  const pem = str(object(value, 'publicKey'), 'publicKey', 'publicKey');
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new MalformedTrailError('publicKey is not a PEM public key');
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new MalformedTrailError('publicKey is not an Ed25519 key');
  }
  return key;
}
