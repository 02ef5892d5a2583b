import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_GENESIS_HASH,
  type AuditCheckpointRecord,
  type StoredAuditRecord,
} from '../store/state-store.js';
import { AuditCheckpointer } from './audit-checkpointer.js';
import { auditRecordHash } from './audit-record-hash.js';
import { auditKeyId, type AuditSigningKey } from './checkpoint.js';
import { verifyTrail, type TrailSource } from './verify-trail.js';

function newKey(): AuditSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, keyId: auditKeyId(publicKey) };
}

/** An in-memory trail with the store's paging, chained exactly as the store chains it. */
class MemoryTrail implements TrailSource {
  records: StoredAuditRecord[] = [];
  checkpoints: AuditCheckpointRecord[] = [];

  append(n: number): void {
    for (let i = 0; i < n; i++) {
      const prevHash = this.records.at(-1)?.recordHash ?? AUDIT_GENESIS_HASH;
      const sequence = this.records.length + 1;
      const record = {
        sequence,
        eventId: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
        eventTimeMs: 1_700_000_000_000 + sequence,
        eventSource: 'codepipeline.amazonaws.com',
        eventName: sequence % 2 ? 'ListPipelines' : 'DeletePipeline',
        requestId: `req-${sequence}`,
        principalArn: 'arn:aws:iam::123456789012:user/alice',
        accessKeyId: 'AKIAALICE',
        sourceIpAddress: '127.0.0.1',
        userAgent: 'test',
        readOnly: sequence % 2 === 1,
        errorCode: null,
        errorMessage: null,
        requestParametersJson: `{"n":${sequence}}`,
        responseElementsJson: null,
        formatVersion: 1 as const,
        resourcesJson: null,
      };
      this.records.push({ ...record, prevHash, recordHash: auditRecordHash(record, prevHash) });
    }
  }

  /** Rewrites record `sequence` and re-chains everything after it, as a careful forger would. */
  rewrite(sequence: number, change: Partial<StoredAuditRecord>): void {
    const index = sequence - 1;
    this.records[index] = { ...this.records[index]!, ...change };
    for (let i = index; i < this.records.length; i++) {
      const prevHash = this.records[i - 1]?.recordHash ?? AUDIT_GENESIS_HASH;
      const record = { ...this.records[i]!, prevHash };
      this.records[i] = { ...record, recordHash: auditRecordHash(record, prevHash) };
    }
  }

  listAudit(after: number, limit: number): Promise<StoredAuditRecord[]> {
    return Promise.resolve(this.records.filter((r) => r.sequence > after).slice(0, limit));
  }

  listAuditCheckpoints(): Promise<AuditCheckpointRecord[]> {
    return Promise.resolve([...this.checkpoints].sort((a, b) => a.treeSize - b.treeSize));
  }

  addAuditCheckpoint(checkpoint: AuditCheckpointRecord): Promise<boolean> {
    if (this.checkpoints.some((c) => c.treeSize === checkpoint.treeSize)) {
      return Promise.resolve(false);
    }
    this.checkpoints.push(checkpoint);
    return Promise.resolve(true);
  }
}

async function trailWithCheckpoints(): Promise<{ trail: MemoryTrail; key: AuditSigningKey }> {
  const key = newKey();
  const trail = new MemoryTrail();
  const checkpointer = new AuditCheckpointer(trail, key);
  // 2,500 records crosses verify's 1,000-record pages; checkpoints at 1000, 2000 and the head.
  trail.append(1000);
  await checkpointer.checkpoint(1000);
  trail.append(1000);
  await checkpointer.checkpoint(2000);
  trail.append(500);
  await checkpointer.checkpoint();
  return { trail, key };
}

describe('verifyTrail', () => {
  it('accepts an untouched trail and counts records and checkpoints', async () => {
    const { trail, key } = await trailWithCheckpoints();
    expect(await verifyTrail(trail, [key.publicKey])).toEqual({
      ok: true,
      records: 2500,
      checkpoints: 3,
      lastCheckpointTreeSize: 2500,
    });
  });

  it('names a record whose contents no longer match its hash', async () => {
    const { trail, key } = await trailWithCheckpoints();
    trail.records[1499] = { ...trail.records[1499]!, eventName: 'GetPipeline' };
    expect(await verifyTrail(trail, [key.publicKey])).toMatchObject({
      ok: false,
      firstBadSequence: 1500,
      reason: expect.stringContaining('changed') as string,
    });
  });

  it('names the record after one whose hash was recomputed', async () => {
    const { trail, key } = await trailWithCheckpoints();
    const record = { ...trail.records[9]!, userAgent: 'forged' };
    trail.records[9] = { ...record, recordHash: auditRecordHash(record, record.prevHash) };
    expect(await verifyTrail(trail, [key.publicKey])).toMatchObject({
      ok: false,
      firstBadSequence: 11,
      reason: expect.stringContaining('does not link') as string,
    });
  });

  it('catches a rewritten and fully re-chained history by the checkpoint root', async () => {
    const { trail, key } = await trailWithCheckpoints();
    trail.rewrite(1234, { errorCode: null, eventName: 'Innocent' });
    expect(await verifyTrail(trail, [key.publicKey])).toMatchObject({
      ok: false,
      firstBadSequence: 1001,
      checkpointTreeSize: 2000,
    });
  });

  it('reports a gap in sequence numbers', async () => {
    const { trail, key } = await trailWithCheckpoints();
    trail.records.splice(41, 1);
    expect(await verifyTrail(trail, [key.publicKey])).toMatchObject({
      ok: false,
      firstBadSequence: 42,
      reason: expect.stringContaining('missing') as string,
    });
  });

  it('reports a truncated tail against the last checkpoint', async () => {
    const { trail, key } = await trailWithCheckpoints();
    trail.records.splice(2490);
    expect(await verifyTrail(trail, [key.publicKey])).toMatchObject({
      ok: false,
      firstBadSequence: 2491,
      checkpointTreeSize: 2500,
      reason: expect.stringContaining('truncated') as string,
    });
  });

  it('refuses a forged signature and a checkpoint from an unknown key', async () => {
    const { trail, key } = await trailWithCheckpoints();
    const forger = new AuditCheckpointer(trail, newKey());
    const [first] = trail.checkpoints;
    trail.checkpoints[0] = { ...first!, signature: Buffer.alloc(64, 7).toString('base64') };
    expect(await verifyTrail(trail, [key.publicKey])).toMatchObject({
      ok: false,
      firstBadSequence: null,
      checkpointTreeSize: 1000,
      reason: expect.stringContaining('signature') as string,
    });
    trail.checkpoints[0] = first!;
    trail.append(1);
    await forger.checkpoint();
    expect(await verifyTrail(trail, [key.publicKey])).toMatchObject({
      ok: false,
      checkpointTreeSize: 2501,
      reason: expect.stringContaining('unknown key') as string,
    });
  });

  it('will not sign over a record that was changed before the checkpoint', async () => {
    const trail = new MemoryTrail();
    trail.append(5);
    trail.records[2] = { ...trail.records[2]!, eventName: 'Changed' };
    await expect(new AuditCheckpointer(trail, newKey()).checkpoint()).rejects.toThrow(
      /record 3 does not match/,
    );
    expect(trail.checkpoints).toEqual([]);
  });
});
