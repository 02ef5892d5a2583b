/**
 * Queries on the s3_buckets and s3_object_versions tables, written once with Kysely for both
 * engines. Every transaction that writes a version starts by updating its bucket's row: that
 * writes first (so SQLite takes its write lock up front) and serializes the bucket's writes
 * (PostgreSQL locks the row), so a guard's check and the write it allows stay together.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import {
  BucketExistsError,
  BucketMissingError,
  type BucketRecord,
  type ObjectMetadataStore,
  type ObjectVersionRecord,
} from './object-metadata-store.js';
import { createMultipartUploadStore } from './object-multipart-queries.js';
import type { Database } from './schema.js';

/** Kysely table types of the tables made by object-migration.ts. */
type ObjectTables = {
  s3_buckets: {
    name: string;
    created_ms: number;
    versioning: string | null;
    object_lock_enabled: number;
    default_retention_mode: string | null;
    default_retention_days: number | null;
    default_retention_years: number | null;
    next_seq: number;
  };
  s3_object_versions: {
    bucket: string;
    object_key: string;
    version_id: string;
    seq: number;
    is_latest: number;
    is_delete_marker: number;
    size_bytes: number;
    etag: string;
    sha256: string;
    storage_id: string | null;
    kms_key_arn: string | null;
    server_side_encryption: string | null;
    metadata_json: string;
    created_ms: number;
    retention_mode: string | null;
    retain_until_ms: number | null;
    legal_hold: number;
  };
};

type Db = Kysely<Database & ObjectTables>;
type Tx = Transaction<Database & ObjectTables>;
type BucketRow = Selectable<ObjectTables['s3_buckets']>;
type VersionRow = Selectable<ObjectTables['s3_object_versions']>;

const bucketRecord = (r: BucketRow): BucketRecord => ({
  name: r.name,
  createdMs: r.created_ms,
  versioning: r.versioning as BucketRecord['versioning'],
  objectLockEnabled: r.object_lock_enabled === 1,
  defaultRetention:
    r.default_retention_mode === null
      ? null
      : {
          mode: r.default_retention_mode as 'GOVERNANCE' | 'COMPLIANCE',
          ...(r.default_retention_days === null ? {} : { days: r.default_retention_days }),
          ...(r.default_retention_years === null ? {} : { years: r.default_retention_years }),
        },
});

const retentionColumns = (retention: BucketRecord['defaultRetention']) => ({
  default_retention_mode: retention?.mode ?? null,
  default_retention_days: retention?.days ?? null,
  default_retention_years: retention?.years ?? null,
});

const versionRecord = (r: VersionRow): ObjectVersionRecord => ({
  bucket: r.bucket,
  key: r.object_key,
  versionId: r.version_id,
  seq: r.seq,
  isLatest: r.is_latest === 1,
  isDeleteMarker: r.is_delete_marker === 1,
  sizeBytes: r.size_bytes,
  etag: r.etag,
  sha256: r.sha256,
  storageId: r.storage_id,
  kmsKeyArn: r.kms_key_arn,
  serverSideEncryption: r.server_side_encryption,
  metadata: JSON.parse(r.metadata_json) as Record<string, string>,
  createdMs: r.created_ms,
  retentionMode: r.retention_mode as ObjectVersionRecord['retentionMode'],
  retainUntilMs: r.retain_until_ms,
  legalHold: r.legal_hold === 1,
});

/** The ObjectMetadataStore over a database; `isUniqueViolation` comes from the dialect. */
export function createObjectMetadataStore(
  database: Kysely<Database>,
  isUniqueViolation: (error: unknown) => boolean,
): ObjectMetadataStore {
  const db: Db = database.withTables<ObjectTables>();
  return {
    multipart: createMultipartUploadStore(database),

    async createBucket(b) {
      await db
        .insertInto('s3_buckets')
        .values({
          name: b.name,
          created_ms: b.createdMs,
          versioning: b.versioning,
          object_lock_enabled: b.objectLockEnabled ? 1 : 0,
          ...retentionColumns(b.defaultRetention),
          next_seq: 1,
        })
        .execute()
        .catch((error: unknown) => {
          if (isUniqueViolation(error)) throw new BucketExistsError(b.name);
          throw error;
        });
    },

    async getBucket(name) {
      const row = await db
        .selectFrom('s3_buckets')
        .selectAll()
        .where('name', '=', name)
        .executeTakeFirst();
      return row && bucketRecord(row);
    },

    async listBuckets() {
      const rows = await db.selectFrom('s3_buckets').selectAll().orderBy('name').execute();
      return rows.map(bucketRecord);
    },

    async updateBucket(name, patch) {
      const result = await db
        .updateTable('s3_buckets')
        .set({
          ...(patch.versioning === undefined ? {} : { versioning: patch.versioning }),
          ...(patch.objectLockEnabled === undefined
            ? {}
            : { object_lock_enabled: patch.objectLockEnabled ? 1 : 0 }),
          ...(patch.defaultRetention === undefined ? {} : retentionColumns(patch.defaultRetention)),
        })
        .where('name', '=', name)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    deleteBucket: (name) =>
      db.transaction().execute(async (trx) => {
        if (!(await lockBucket(trx, name))) return 'missing';
        const any = await trx
          .selectFrom('s3_object_versions')
          .select('version_id')
          .where('bucket', '=', name)
          .limit(1)
          .executeTakeFirst();
        if (any) return 'not-empty';
        await trx.deleteFrom('s3_buckets').where('name', '=', name).execute();
        return 'deleted';
      }),

    putVersion: (version, replaces) =>
      db.transaction().execute(async (trx) => {
        const bumped = await trx
          .updateTable('s3_buckets')
          .set((eb) => ({ next_seq: eb('next_seq', '+', 1) }))
          .where('name', '=', version.bucket)
          .returning('next_seq')
          .executeTakeFirst();
        if (!bumped) throw new BucketMissingError(version.bucket);
        const replaced =
          replaces === undefined ? undefined : await selectVersion(trx, version, replaces);
        if (replaced) await removeRow(trx, replaced);
        await trx
          .updateTable('s3_object_versions')
          .set({ is_latest: 0 })
          .where('bucket', '=', version.bucket)
          .where('object_key', '=', version.key)
          .where('is_latest', '=', 1)
          .execute();
        const row = versionRow(version, bumped.next_seq - 1);
        await trx.insertInto('s3_object_versions').values(row).execute();
        return { stored: versionRecord(row), replaced: replaced && versionRecord(replaced) };
      }),

    async getVersion(bucket, key, versionId) {
      let query = db
        .selectFrom('s3_object_versions')
        .selectAll()
        .where('bucket', '=', bucket)
        .where('object_key', '=', key);
      query =
        versionId === undefined
          ? query.where('is_latest', '=', 1)
          : query.where('version_id', '=', versionId);
      const row = await query.executeTakeFirst();
      return row && versionRecord(row);
    },

    deleteVersion: (bucket, key, versionId, guard) =>
      db.transaction().execute(async (trx) => {
        if (!(await lockBucket(trx, bucket))) return undefined;
        const row = await selectVersion(trx, { bucket, key }, versionId);
        if (!row) return undefined;
        guard(versionRecord(row));
        await removeRow(trx, row);
        return versionRecord(row);
      }),

    updateLock: (bucket, key, versionId, change) =>
      db.transaction().execute(async (trx) => {
        if (!(await lockBucket(trx, bucket))) return undefined;
        const row = await selectVersion(trx, { bucket, key }, versionId);
        if (!row) return undefined;
        const lock = change(versionRecord(row));
        const columns = {
          retention_mode: lock.retentionMode,
          retain_until_ms: lock.retainUntilMs,
          legal_hold: lock.legalHold ? 1 : 0,
        };
        await trx
          .updateTable('s3_object_versions')
          .set(columns)
          .where('bucket', '=', bucket)
          .where('object_key', '=', key)
          .where('version_id', '=', versionId)
          .execute();
        return versionRecord({ ...row, ...columns });
      }),

    async listLatest(bucket, fromKey, afterKey, limit) {
      let query = db
        .selectFrom('s3_object_versions')
        .selectAll()
        .where('bucket', '=', bucket)
        .where('is_latest', '=', 1)
        .where('is_delete_marker', '=', 0)
        .where('object_key', '>=', fromKey);
      if (afterKey !== undefined) query = query.where('object_key', '>', afterKey);
      const rows = await query.orderBy('object_key').limit(limit).execute();
      return rows.map(versionRecord);
    },

    async listVersions(bucket, fromKey, after, limit) {
      let query = db
        .selectFrom('s3_object_versions')
        .selectAll()
        .where('bucket', '=', bucket)
        .where('object_key', '>=', fromKey);
      if (after !== undefined) {
        query = query.where((eb) =>
          eb.or([
            eb('object_key', '>', after.key),
            eb.and([eb('object_key', '=', after.key), eb('seq', '<', after.seq)]),
          ]),
        );
      }
      const rows = await query.orderBy('object_key').orderBy('seq', 'desc').limit(limit).execute();
      return rows.map(versionRecord);
    },
  };
}

/** Writes the bucket's row (a no-op update) to take its write lock; false if it is gone. */
async function lockBucket(trx: Tx, bucket: string): Promise<boolean> {
  const result = await trx
    .updateTable('s3_buckets')
    .set((eb) => ({ next_seq: eb.ref('next_seq') }))
    .where('name', '=', bucket)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

function selectVersion(
  trx: Tx,
  where: { bucket: string; key: string },
  versionId: string,
): Promise<VersionRow | undefined> {
  return trx
    .selectFrom('s3_object_versions')
    .selectAll()
    .where('bucket', '=', where.bucket)
    .where('object_key', '=', where.key)
    .where('version_id', '=', versionId)
    .executeTakeFirst();
}

/** Deletes a version's row; if it was the latest, the next newest takes its place. */
async function removeRow(trx: Tx, row: VersionRow): Promise<void> {
  await trx
    .deleteFrom('s3_object_versions')
    .where('bucket', '=', row.bucket)
    .where('object_key', '=', row.object_key)
    .where('version_id', '=', row.version_id)
    .execute();
  if (row.is_latest !== 1) return;
  const next = await trx
    .selectFrom('s3_object_versions')
    .select('version_id')
    .where('bucket', '=', row.bucket)
    .where('object_key', '=', row.object_key)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!next) return;
  await trx
    .updateTable('s3_object_versions')
    .set({ is_latest: 1 })
    .where('bucket', '=', row.bucket)
    .where('object_key', '=', row.object_key)
    .where('version_id', '=', next.version_id)
    .execute();
}

function versionRow(v: Omit<ObjectVersionRecord, 'seq' | 'isLatest'>, seq: number): VersionRow {
  return {
    bucket: v.bucket,
    object_key: v.key,
    version_id: v.versionId,
    seq,
    is_latest: 1,
    is_delete_marker: v.isDeleteMarker ? 1 : 0,
    size_bytes: v.sizeBytes,
    etag: v.etag,
    sha256: v.sha256,
    storage_id: v.storageId,
    kms_key_arn: v.kmsKeyArn,
    server_side_encryption: v.serverSideEncryption,
    metadata_json: JSON.stringify(v.metadata),
    created_ms: v.createdMs,
    retention_mode: v.retentionMode,
    retain_until_ms: v.retainUntilMs,
    legal_hold: v.legalHold ? 1 : 0,
  };
}
