/** Queries on s3_multipart_uploads and s3_multipart_parts, written once for both engines. */
import type { Kysely, Selectable } from 'kysely';
import type { MultipartPartRecord, MultipartUploadStore } from './object-multipart-store.js';
import type { Database } from './schema.js';

/** Kysely table types of the multipart tables made by object-migration.ts. */
type MultipartTables = {
  s3_multipart_uploads: {
    upload_id: string;
    bucket: string;
    object_key: string;
    metadata_json: string;
    encryption_json: string;
    lock_json: string;
    created_ms: number;
  };
  s3_multipart_parts: {
    upload_id: string;
    part_number: number;
    size_bytes: number;
    etag: string;
    sha256: string;
    storage_id: string;
    created_ms: number;
  };
};

type PartRow = Selectable<MultipartTables['s3_multipart_parts']>;

const partRecord = (r: PartRow): MultipartPartRecord => ({
  uploadId: r.upload_id,
  partNumber: r.part_number,
  sizeBytes: r.size_bytes,
  etag: r.etag,
  sha256: r.sha256,
  storageId: r.storage_id,
  createdMs: r.created_ms,
});

/** The MultipartUploadStore over a database. */
export function createMultipartUploadStore(database: Kysely<Database>): MultipartUploadStore {
  const db = database.withTables<MultipartTables>();
  const selectParts = (uploadId: string) =>
    db
      .selectFrom('s3_multipart_parts')
      .selectAll()
      .where('upload_id', '=', uploadId)
      .orderBy('part_number')
      .execute();
  return {
    async createUpload(u) {
      await db
        .insertInto('s3_multipart_uploads')
        .values({
          upload_id: u.uploadId,
          bucket: u.bucket,
          object_key: u.key,
          metadata_json: JSON.stringify(u.metadata),
          encryption_json: JSON.stringify(u.encryption),
          lock_json: JSON.stringify(u.lock),
          created_ms: u.createdMs,
        })
        .execute();
    },

    async getUpload(uploadId) {
      const r = await db
        .selectFrom('s3_multipart_uploads')
        .selectAll()
        .where('upload_id', '=', uploadId)
        .executeTakeFirst();
      return (
        r && {
          uploadId: r.upload_id,
          bucket: r.bucket,
          key: r.object_key,
          metadata: JSON.parse(r.metadata_json) as Record<string, string>,
          encryption: JSON.parse(r.encryption_json) as Record<string, unknown>,
          lock: JSON.parse(r.lock_json) as Record<string, unknown>,
          createdMs: r.created_ms,
        }
      );
    },

    putPart: (part) =>
      db.transaction().execute(async (trx) => {
        // Delete first: the transaction writes before it reads (see kysely-state-store.ts).
        const replaced = await trx
          .deleteFrom('s3_multipart_parts')
          .where('upload_id', '=', part.uploadId)
          .where('part_number', '=', part.partNumber)
          .returningAll()
          .executeTakeFirst();
        await trx
          .insertInto('s3_multipart_parts')
          .values({
            upload_id: part.uploadId,
            part_number: part.partNumber,
            size_bytes: part.sizeBytes,
            etag: part.etag,
            sha256: part.sha256,
            storage_id: part.storageId,
            created_ms: part.createdMs,
          })
          .execute();
        return replaced && partRecord(replaced);
      }),

    async listParts(uploadId) {
      return (await selectParts(uploadId)).map(partRecord);
    },

    deleteUpload: (uploadId) =>
      db.transaction().execute(async (trx) => {
        const upload = await trx
          .deleteFrom('s3_multipart_uploads')
          .where('upload_id', '=', uploadId)
          .executeTakeFirst();
        if (Number(upload.numDeletedRows) === 0) return undefined;
        const parts = await trx
          .deleteFrom('s3_multipart_parts')
          .where('upload_id', '=', uploadId)
          .returningAll()
          .execute();
        return parts.map(partRecord).sort((a, b) => a.partNumber - b.partNumber);
      }),
  };
}
