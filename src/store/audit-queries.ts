/**
 * The audit trail's queries: the chained append, paging in sequence order, LookupEvents'
 * filters, and checkpoints. The hash format itself lives in src/audit/; the store only
 * guarantees that each record is sealed against the one before it, one append at a time.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Expression, type Kysely, type SqlBool, type Transaction } from 'kysely';
import { toAuditEventRow, toAuditResourceRows, toStoredAuditRecord } from './audit-event-row.js';
import type { AuditCheckpointRow, Database } from './schema.js';
import {
  AUDIT_GENESIS_HASH,
  type AuditCheckpointRecord,
  type AuditLookupQuery,
  type AuditRecord,
  type AuditSeal,
  type StoredAuditRecord,
} from './state-store.js';

type AuditDb = Kysely<Database> | Transaction<Database>;
type LockAppend = (trx: Transaction<Database>) => Promise<void>;

interface ChainHead {
  sequence: number;
  record_hash: string | null;
}

/** Thrown when the newest record has no hash although older ones do: the chain was cut. */
export class AuditChainBrokenError extends Error {}

/** Appends `record` as the next link of the chain, in one transaction under the append lock. */
export async function appendAuditRecord(
  db: Kysely<Database>,
  lock: LockAppend,
  record: AuditRecord,
  seal: AuditSeal,
): Promise<StoredAuditRecord> {
  const [stored] = await appendAuditRecords(db, lock, [record], seal);
  if (stored === undefined) throw new Error('the audit append stored no record');
  return stored;
}

/**
 * Appends `records`, in order, as consecutive links of the chain in one transaction under the
 * append lock: one commit (one fsync on SQLite) however many there are, and no other append
 * can take a sequence between them.
 */
export function appendAuditRecords(
  db: Kysely<Database>,
  lock: LockAppend,
  records: readonly AuditRecord[],
  seal: AuditSeal,
): Promise<StoredAuditRecord[]> {
  if (records.length === 0) return Promise.resolve([]);
  return db.transaction().execute(async (trx) => {
    // The lock comes first: the head read below must see every earlier append committed, or
    // two appends would seal against the same predecessor and the chain would fork.
    await lock(trx);
    let head = await selectHead(trx);
    if (head !== undefined && head.record_hash === null) head = await sealOlderRecords(trx, seal);
    let sequence = head?.sequence ?? 0;
    let prevHash = head?.record_hash ?? AUDIT_GENESIS_HASH;
    const stored = records.map((record) => {
      const sequenced = { ...record, sequence: ++sequence };
      const link = { ...sequenced, prevHash, recordHash: seal(sequenced, prevHash) };
      prevHash = link.recordHash;
      return link;
    });
    for (let start = 0; start < stored.length; start += INSERT_ROWS) {
      const rows = stored.slice(start, start + INSERT_ROWS).map(toAuditEventRow);
      await trx.insertInto('audit_events').values(rows).execute();
    }
    const resources = stored.flatMap(toAuditResourceRows);
    for (let start = 0; start < resources.length; start += INSERT_ROWS) {
      const rows = resources.slice(start, start + INSERT_ROWS);
      await trx.insertInto('audit_event_resources').values(rows).execute();
    }
    return stored;
  });
}

/** Rows per INSERT: well under SQLite's and PostgreSQL's bound-parameter limits. */
const INSERT_ROWS = 200;

function selectHead(trx: AuditDb): Promise<ChainHead | undefined> {
  return trx
    .selectFrom('audit_events')
    .select(['sequence', 'record_hash'])
    .orderBy('sequence', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Seals rows written before the chain existed (migration 0005), once, from the genesis hash.
 * Only a trail with no sealed row and no checkpoint qualifies: an unsealed head after sealed
 * rows means hashes were removed, and re-sealing would launder whatever was changed.
 */
async function sealOlderRecords(trx: Transaction<Database>, seal: AuditSeal): Promise<ChainHead> {
  const sealed = await trx
    .selectFrom('audit_events')
    .select('sequence')
    .where('record_hash', 'is not', null)
    .limit(1)
    .executeTakeFirst();
  const checkpoint = await trx
    .selectFrom('audit_checkpoints')
    .select('tree_size')
    .limit(1)
    .execute();
  if (sealed !== undefined || checkpoint.length > 0) {
    throw new AuditChainBrokenError(
      'the newest audit record has no hash; run lockstep audit verify',
    );
  }
  const rows = await trx.selectFrom('audit_events').selectAll().orderBy('sequence').execute();
  let head: ChainHead = { sequence: 0, record_hash: AUDIT_GENESIS_HASH };
  for (const row of rows) {
    const record = { ...toStoredAuditRecord(row), eventId: row.event_id ?? randomUUID() };
    const recordHash = seal(record, head.record_hash ?? AUDIT_GENESIS_HASH);
    await trx
      .updateTable('audit_events')
      .set({ event_id: record.eventId, prev_hash: head.record_hash, record_hash: recordHash })
      .where('sequence', '=', row.sequence)
      .execute();
    head = { sequence: row.sequence, record_hash: recordHash };
  }
  return head;
}

/** Records in sequence order after `afterSequence`, at most `limit`. */
export async function selectAuditPage(
  db: AuditDb,
  afterSequence: number,
  limit: number,
): Promise<StoredAuditRecord[]> {
  const rows = await db
    .selectFrom('audit_events')
    .selectAll()
    .where('sequence', '>', afterSequence)
    .orderBy('sequence')
    .limit(limit)
    .execute();
  return rows.map(toStoredAuditRecord);
}

/** Records matching a LookupEvents query, newest first. */
export async function lookupAuditRecords(
  db: AuditDb,
  query: AuditLookupQuery,
): Promise<StoredAuditRecord[]> {
  let select = db.selectFrom('audit_events').selectAll();
  const { attribute, startMs, endMs, beforeSequence } = query;
  if (beforeSequence !== undefined) select = select.where('sequence', '<', beforeSequence);
  if (startMs !== undefined) select = select.where('event_time_ms', '>=', startMs);
  if (endMs !== undefined) select = select.where('event_time_ms', '<=', endMs);
  if (attribute !== undefined) {
    select = select.where((eb): Expression<SqlBool> => {
      const { key, value } = attribute;
      switch (key) {
        case 'EventId':
          return eb('event_id', '=', value);
        case 'EventName':
          return eb('event_name', '=', value);
        case 'EventSource':
          return eb('event_source', '=', value);
        case 'AccessKeyId':
          return eb('access_key_id', '=', value);
        case 'ReadOnly':
          return eb('read_only', '=', value === 'true' ? 1 : 0);
        case 'Username':
          // The user name is the ARN's last path segment; substr rather than LIKE because
          // SQLite's LIKE ignores case and IAM names must match exactly.
          return sql<SqlBool>`substr(principal_arn, length(principal_arn) - ${value.length}) = ${'/' + value}`;
        case 'ResourceName':
        case 'ResourceType':
          return eb(
            'sequence',
            'in',
            eb
              .selectFrom('audit_event_resources')
              .select('audit_event_resources.sequence')
              .where(key === 'ResourceName' ? 'resource_name' : 'resource_type', '=', value),
          );
      }
    });
  }
  const rows = await select.orderBy('sequence', 'desc').limit(query.limit).execute();
  return rows.map(toStoredAuditRecord);
}

/** Inserts a checkpoint unless its tree size has one; true when inserted. */
export async function insertAuditCheckpoint(
  db: AuditDb,
  checkpoint: AuditCheckpointRecord,
): Promise<boolean> {
  const result = await db
    .insertInto('audit_checkpoints')
    .values({
      tree_size: checkpoint.treeSize,
      root_hash: checkpoint.rootHash,
      signature: checkpoint.signature,
      key_id: checkpoint.keyId,
      created_ms: checkpoint.createdMs,
    })
    .onConflict((conflict) => conflict.column('tree_size').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Every checkpoint, smallest tree first. */
export async function selectAuditCheckpoints(db: AuditDb): Promise<AuditCheckpointRecord[]> {
  const rows = await db.selectFrom('audit_checkpoints').selectAll().orderBy('tree_size').execute();
  return rows.map(toCheckpointRecord);
}

function toCheckpointRecord(row: AuditCheckpointRow): AuditCheckpointRecord {
  return {
    treeSize: row.tree_size,
    rootHash: row.root_hash,
    signature: row.signature,
    keyId: row.key_id,
    createdMs: row.created_ms,
  };
}
