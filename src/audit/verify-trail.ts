/**
 * `audit verify`: walks every record in sequence order, recomputing each record's hash and
 * chain link and the RFC 6962 tree, and checks every checkpoint's root and signature as the
 * walk reaches its size. A checkpoint past the last record means the tail was cut off.
 */
import type { KeyObject } from 'node:crypto';
import type { AuditCheckpointRecord, StateStore, StoredAuditRecord } from '../store/state-store.js';
import { AUDIT_GENESIS_HASH } from '../store/state-store.js';
import { auditRecordHash, isAuditFormatVersion } from './audit-record-hash.js';
import { auditKeyId, checkpointSignatureValid } from './checkpoint.js';
import { leafHash, MerkleFrontier } from './merkle-tree.js';

export type VerifyTrailResult =
  | { ok: true; records: number; checkpoints: number; lastCheckpointTreeSize: number }
  | {
      ok: false;
      /** The first record found wrong or missing; null when only a checkpoint is wrong. */
      firstBadSequence: number | null;
      reason: string;
      /** The checkpoint that failed, when one did. */
      checkpointTreeSize?: number;
    };

type Failure = Extract<VerifyTrailResult, { ok: false }>;

export type TrailSource = Pick<StateStore, 'listAudit' | 'listAuditCheckpoints'>;

const PAGE_RECORDS = 1_000;

/** Verifies the whole trail against checkpoints signed by any of `publicKeys`. */
export async function verifyTrail(
  source: TrailSource,
  publicKeys: readonly KeyObject[],
): Promise<VerifyTrailResult> {
  const keys = new Map(publicKeys.map((key) => [auditKeyId(key), key]));
  const checkpoints = await source.listAuditCheckpoints();
  const walk = new TrailWalk(checkpoints, keys);
  const before = walk.reachCheckpoints();
  if (before !== undefined) return before;
  for (let after = 0; ; after = walk.size) {
    const page = await source.listAudit(after, PAGE_RECORDS);
    for (const record of page) {
      const failure = walk.add(record) ?? walk.reachCheckpoints();
      if (failure !== undefined) return failure;
    }
    if (page.length < PAGE_RECORDS) break;
  }
  const last = checkpoints.at(-1);
  if (last !== undefined && last.treeSize > walk.size) {
    return (
      walk.badSignature(last) ?? {
        ok: false,
        firstBadSequence: walk.size + 1,
        checkpointTreeSize: last.treeSize,
        reason: `truncated: the trail ends at record ${walk.size}, but a checkpoint was signed over ${last.treeSize} records`,
      }
    );
  }
  const lastCheckpointTreeSize = last?.treeSize ?? 0;
  return { ok: true, records: walk.size, checkpoints: checkpoints.length, lastCheckpointTreeSize };
}

/** The state of one verification walk: chain head, tree so far, next checkpoint to check. */
class TrailWalk {
  private readonly frontier = new MerkleFrontier();
  private lastHash = AUDIT_GENESIS_HASH;
  private nextCheckpoint = 0;
  /** The size of the last checkpoint whose root matched: records up to it are proven. */
  private provenSize = 0;

  constructor(
    private readonly checkpoints: readonly AuditCheckpointRecord[],
    private readonly keys: ReadonlyMap<string, KeyObject>,
  ) {}

  get size(): number {
    return this.frontier.size;
  }

  /** Adds the next record; a failure if it is missing, changed or not linked. */
  add(record: StoredAuditRecord): Failure | undefined {
    const expected = this.frontier.size + 1;
    if (record.sequence !== expected) {
      return bad(expected, `record ${expected} is missing: the next stored is ${record.sequence}`);
    }
    if (record.prevHash !== this.lastHash) {
      return bad(expected, `record ${expected} does not link to record ${expected - 1}'s hash`);
    }
    if (!isAuditFormatVersion(record.formatVersion)) {
      return bad(
        expected,
        `record ${expected} was changed: format version ${String(record.formatVersion)} is not 1 or 2`,
      );
    }
    if (auditRecordHash(record, this.lastHash) !== record.recordHash) {
      return bad(expected, `record ${expected} was changed: its contents do not match its hash`);
    }
    this.frontier.append(leafHash(Buffer.from(record.recordHash, 'hex')));
    this.lastHash = record.recordHash;
    return undefined;
  }

  /** Checks every checkpoint whose size the walk has now reached. */
  reachCheckpoints(): Failure | undefined {
    for (let cp = this.checkpoints[this.nextCheckpoint]; cp?.treeSize === this.size;) {
      const failure = this.badSignature(cp) ?? this.badRoot(cp);
      if (failure !== undefined) return failure;
      this.provenSize = cp.treeSize;
      cp = this.checkpoints[++this.nextCheckpoint];
    }
    return undefined;
  }

  /** A failure if the checkpoint's signature does not verify under a known key. */
  badSignature(cp: AuditCheckpointRecord): Failure | undefined {
    const key = this.keys.get(cp.keyId);
    if (key === undefined) {
      return badCheckpoint(cp, `checkpoint ${cp.treeSize} is signed by unknown key ${cp.keyId}`);
    }
    if (!checkpointSignatureValid(key, cp)) {
      return badCheckpoint(cp, `checkpoint ${cp.treeSize}'s signature does not verify`);
    }
    return undefined;
  }

  private badRoot(cp: AuditCheckpointRecord): Failure | undefined {
    if (this.frontier.root().toString('hex') === cp.rootHash) return undefined;
    // The chain held, so records were rewritten and re-chained: the checkpoint bounds where.
    return {
      ok: false,
      firstBadSequence: this.provenSize + 1,
      checkpointTreeSize: cp.treeSize,
      reason: `checkpoint ${cp.treeSize}'s root does not match records 1..${cp.treeSize}: a record after ${this.provenSize} was rewritten`,
    };
  }
}

function bad(sequence: number, reason: string): Failure {
  return { ok: false, firstBadSequence: sequence, reason };
}

function badCheckpoint(cp: AuditCheckpointRecord, reason: string): Failure {
  return { ok: false, firstBadSequence: null, checkpointTreeSize: cp.treeSize, reason };
}
