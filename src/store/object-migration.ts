/**
 * The object store's tables: buckets (versioning, object lock and its default retention),
 * object versions (one row per version or delete marker, with its digest, its KMS key and its
 * lock), and multipart uploads in progress with their parts. The bytes live encrypted on disk (src/objects/); these rows say which bytes are whose.
 * Written once for both engines, as in codebuild-migration.ts.
 */
import type { Kysely, Migration, RawBuilder } from 'kysely';

type ColumnType = 'text' | 'integer' | 'bigint' | RawBuilder<unknown>;

interface ObjectColumnTypes {
  /** Text that sorts byte-wise (COLLATE "C" on PostgreSQL, plain text on SQLite), as S3 lists. */
  name: ColumnType;
  /** Epoch milliseconds, sizes in bytes and sequence numbers. */
  ms: ColumnType;
  /** Appended to every CREATE TABLE (STRICT on SQLite). */
  tableSuffix?: RawBuilder<unknown>;
}

/** The object store migration for an engine's column types. */
export function objectMigration(types: ObjectColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const table = (name: string) => {
        const builder = db.schema.createTable(name);
        return types.tableSuffix ? builder.modifyEnd(types.tableSuffix) : builder;
      };
      await table('s3_buckets')
        .addColumn('name', types.name, (c) => c.primaryKey())
        .addColumn('created_ms', types.ms, (c) => c.notNull())
        // NULL until versioning is first configured, then 'Enabled' or 'Suspended'.
        .addColumn('versioning', 'text')
        .addColumn('object_lock_enabled', 'integer', (c) => c.notNull())
        .addColumn('default_retention_mode', 'text')
        .addColumn('default_retention_days', 'integer')
        .addColumn('default_retention_years', 'integer')
        // Every write to the bucket takes the next number: it orders a key's versions and,
        // being an UPDATE of the bucket's row, serializes the bucket's writes on both engines.
        .addColumn('next_seq', types.ms, (c) => c.notNull())
        .execute();
      await table('s3_object_versions')
        .addColumn('bucket', types.name, (c) => c.notNull())
        .addColumn('object_key', types.name, (c) => c.notNull())
        .addColumn('version_id', 'text', (c) => c.notNull())
        .addColumn('seq', types.ms, (c) => c.notNull())
        .addColumn('is_latest', 'integer', (c) => c.notNull())
        .addColumn('is_delete_marker', 'integer', (c) => c.notNull())
        .addColumn('size_bytes', types.ms, (c) => c.notNull())
        .addColumn('etag', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        // The encrypted bytes' file name under DIR/objects/<bucket>/; NULL for a delete marker.
        .addColumn('storage_id', 'text')
        .addColumn('kms_key_arn', 'text')
        .addColumn('server_side_encryption', 'text')
        // Content-Type and the other stored headers, and x-amz-meta-*: a JSON object.
        .addColumn('metadata_json', 'text', (c) => c.notNull())
        .addColumn('created_ms', types.ms, (c) => c.notNull())
        .addColumn('retention_mode', 'text')
        .addColumn('retain_until_ms', types.ms)
        .addColumn('legal_hold', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('s3_object_versions_pk', ['bucket', 'object_key', 'version_id'])
        .execute();
      await db.schema
        .createIndex('s3_object_versions_by_seq')
        .on('s3_object_versions')
        .columns(['bucket', 'object_key', 'seq'])
        .execute();
      await db.schema
        .createIndex('s3_object_versions_latest')
        .on('s3_object_versions')
        .columns(['bucket', 'is_latest', 'object_key'])
        .execute();
      await table('s3_multipart_uploads')
        .addColumn('upload_id', 'text', (c) => c.primaryKey())
        .addColumn('bucket', types.name, (c) => c.notNull())
        .addColumn('object_key', types.name, (c) => c.notNull())
        // What CreateMultipartUpload asked for, applied when the upload completes: headers,
        // encryption and object lock, each a JSON document.
        .addColumn('metadata_json', 'text', (c) => c.notNull())
        .addColumn('encryption_json', 'text', (c) => c.notNull())
        .addColumn('lock_json', 'text', (c) => c.notNull())
        .addColumn('created_ms', types.ms, (c) => c.notNull())
        .execute();
      await table('s3_multipart_parts')
        .addColumn('upload_id', 'text', (c) => c.notNull())
        .addColumn('part_number', 'integer', (c) => c.notNull())
        .addColumn('size_bytes', types.ms, (c) => c.notNull())
        .addColumn('etag', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('storage_id', 'text', (c) => c.notNull())
        .addColumn('created_ms', types.ms, (c) => c.notNull())
        .addPrimaryKeyConstraint('s3_multipart_parts_pk', ['upload_id', 'part_number'])
        .execute();
    },
  };
}
