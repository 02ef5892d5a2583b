/**
 * GetAuditTrail's answer: the stored records exactly as stored (sequence order, with their
 * chain hashes), every signed checkpoint when asked, and the server's audit public key, so
 * that `audit verify --endpoint-url` can run the same verifyTrail as on a data directory
 * (remote-trail-source.ts reads this shape back).
 */
import path from 'node:path';
import type { AuditCheckpointRecord, StateStore, StoredAuditRecord } from '../store/state-store.js';
import { AUDIT_PUBLIC_KEY_FILE, readAuditPublicKey } from './audit-signing-key.js';
import { auditKeyId } from './checkpoint.js';

/** The most records one GetAuditTrail call returns (the model's AuditTrailMaxResults). */
export const AUDIT_TRAIL_MAX_RESULTS = 1_000;

/** GetAuditTrail's input, as the model validator lets it through. */
export interface GetAuditTrailInput {
  afterSequence?: number;
  maxResults?: number;
  includeCheckpoints?: boolean;
}

/** One stored record on the wire: the store's fields, a null member left out. */
export type WireAuditRecord = {
  [K in keyof StoredAuditRecord]: null extends StoredAuditRecord[K]
    ? Exclude<StoredAuditRecord[K], null> | undefined
    : StoredAuditRecord[K];
};

/** The public half of the key the server signs checkpoints with. */
export interface WireAuditPublicKey {
  keyId: string;
  /** SPKI PEM. */
  publicKey: string;
}

/** GetAuditTrail's output. */
export interface GetAuditTrailOutput {
  records: WireAuditRecord[];
  checkpoints?: AuditCheckpointRecord[];
  publicKey: WireAuditPublicKey;
}

/** What the pages are read from. */
export type AuditTrailStore = Pick<StateStore, 'listAudit' | 'listAuditCheckpoints'>;

/** Answers GetAuditTrail from the store and the public key in the data directory's keys/. */
export class AuditTrailPages {
  private publicKey: Promise<WireAuditPublicKey> | undefined;

  constructor(
    private readonly store: AuditTrailStore,
    private readonly keysDir: string,
  ) {}

  /** One page of records after `afterSequence`, and the checkpoints if asked. */
  async page(input: GetAuditTrailInput): Promise<GetAuditTrailOutput> {
    const limit = Math.min(input.maxResults ?? AUDIT_TRAIL_MAX_RESULTS, AUDIT_TRAIL_MAX_RESULTS);
    const records = limit === 0 ? [] : await this.store.listAudit(input.afterSequence ?? 0, limit);
    const checkpoints = input.includeCheckpoints
      ? await this.store.listAuditCheckpoints()
      : undefined;
    return {
      records: records.map(toWireRecord),
      ...(checkpoints === undefined ? {} : { checkpoints: checkpoints.map(toWireCheckpoint) }),
      publicKey: await this.readPublicKey(),
    };
  }

  private readPublicKey(): Promise<WireAuditPublicKey> {
    // The server rewrites the .pub from its private key at every start, so it is the key in
    // use and never changes while the server runs: read it once.
    if (this.publicKey === undefined) {
      const file = path.join(this.keysDir, AUDIT_PUBLIC_KEY_FILE);
      const read = readAuditPublicKey(file).then((key) => ({
        keyId: auditKeyId(key),
        publicKey: key.export({ type: 'spki', format: 'pem' }).toString(),
      }));
      this.publicKey = read;
      // A failed read is not kept: the next call tries again.
      read.catch(() => {
        if (this.publicKey === read) this.publicKey = undefined;
      });
    }
    return this.publicKey;
  }
}

function toWireRecord(r: StoredAuditRecord): WireAuditRecord {
  // Listed member by member, so nothing the store may add later leaks onto the wire unseen.
  return {
    sequence: r.sequence,
    eventId: r.eventId,
    eventTimeMs: r.eventTimeMs,
    eventSource: r.eventSource,
    eventName: r.eventName,
    requestId: r.requestId,
    principalArn: r.principalArn ?? undefined,
    accessKeyId: r.accessKeyId ?? undefined,
    sourceIpAddress: r.sourceIpAddress,
    userAgent: r.userAgent,
    readOnly: r.readOnly,
    errorCode: r.errorCode ?? undefined,
    errorMessage: r.errorMessage ?? undefined,
    requestParametersJson: r.requestParametersJson ?? undefined,
    responseElementsJson: r.responseElementsJson ?? undefined,
    formatVersion: r.formatVersion,
    resourcesJson: r.resourcesJson ?? undefined,
    prevHash: r.prevHash,
    recordHash: r.recordHash,
  };
}

function toWireCheckpoint(c: AuditCheckpointRecord): AuditCheckpointRecord {
  return {
    treeSize: c.treeSize,
    rootHash: c.rootHash,
    signature: c.signature,
    keyId: c.keyId,
    createdMs: c.createdMs,
  };
}
