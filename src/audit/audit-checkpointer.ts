/**
 * Grows this process's view of the Merkle tree over the stored trail and signs checkpoints.
 * Before extending the tree it re-checks each new record's hash and chain link, so a
 * signature never vouches for a record that was already changed in the database.
 */
import type { AuditCheckpointRecord, StateStore } from '../store/state-store.js';
import { AUDIT_GENESIS_HASH } from '../store/state-store.js';
import { auditRecordHash } from './audit-record-hash.js';
import { signCheckpoint, type AuditSigningKey } from './checkpoint.js';
import { leafHash, MerkleFrontier } from './merkle-tree.js';

const PAGE_RECORDS = 1_000;

export type CheckpointStore = Pick<StateStore, 'listAudit' | 'addAuditCheckpoint'>;

export class AuditCheckpointer {
  private readonly frontier = new MerkleFrontier();
  private lastHash = AUDIT_GENESIS_HASH;
  // Checkpoints are made one at a time, in the order asked, because they share the frontier.
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * `signEvery`: also sign at each multiple of it that the tree passes on its way to a larger
   * size. Appends on PostgreSQL may finish out of order, so the request for 14 can arrive after
   * the one for 21; signing on the way keeps a checkpoint at every multiple all the same.
   */
  constructor(
    private readonly store: CheckpointStore,
    private readonly key: AuditSigningKey,
    private readonly now: () => number = Date.now,
    private readonly signEvery = Number.MAX_SAFE_INTEGER,
  ) {}

  /**
   * Signs and stores a checkpoint over the first `treeSize` records, or over every record
   * stored so far; undefined when there is nothing to sign or a later checkpoint already
   * passed that size.
   */
  checkpoint(treeSize?: number): Promise<AuditCheckpointRecord | undefined> {
    const run = this.queue.then(() => this.make(treeSize ?? Number.MAX_SAFE_INTEGER));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async make(treeSize: number): Promise<AuditCheckpointRecord | undefined> {
    if (this.frontier.size > treeSize) return undefined;
    await this.advance(treeSize);
    if (this.frontier.size === 0) return undefined;
    return this.sign();
  }

  private async sign(): Promise<AuditCheckpointRecord> {
    const root = this.frontier.root().toString('hex');
    const checkpoint = signCheckpoint(this.key, this.frontier.size, root, this.now());
    await this.store.addAuditCheckpoint(checkpoint);
    return checkpoint;
  }

  private async advance(treeSize: number): Promise<void> {
    while (this.frontier.size < treeSize) {
      const wanted = Math.min(PAGE_RECORDS, treeSize - this.frontier.size);
      const page = await this.store.listAudit(this.frontier.size, wanted);
      for (const record of page) {
        const expected = this.frontier.size + 1;
        if (record.sequence !== expected || record.prevHash !== this.lastHash) {
          throw new Error(`audit record ${expected} does not extend the chain; not signing`);
        }
        if (auditRecordHash(record, this.lastHash) !== record.recordHash) {
          throw new Error(`audit record ${expected} does not match its hash; not signing`);
        }
        this.frontier.append(leafHash(Buffer.from(record.recordHash, 'hex')));
        this.lastHash = record.recordHash;
        const size = this.frontier.size;
        if (size % this.signEvery === 0 && size < treeSize) await this.sign();
      }
      if (page.length < wanted) return;
    }
  }
}
