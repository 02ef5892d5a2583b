/**
 * Multipart uploads (CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
 * AbortMultipartUpload, ListParts), which `aws s3 cp` and boto3's upload_file use above 8 MB.
 * Each part is stored like a version: its own file, sealed under the upload's KMS key and bound
 * to the upload and part number. Completing streams the parts, each checked whole first, into
 * one new version through ObjectService, so a completed object is read like any other; its
 * ETag is S3's `<MD5 of the parts' MD5s>-<part count>`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ObjectMetadataStore, ObjectVersionRecord } from '../store/object-metadata-store.js';
import type {
  MultipartPartRecord,
  MultipartUploadRecord,
} from '../store/object-multipart-store.js';
import type { BucketService } from './bucket-service.js';
import { partEncryptionContext, type ObjectBytes, type StoredBytes } from './object-bytes.js';
import {
  BadDigest,
  EntityTooSmall,
  InvalidArgument,
  InvalidPart,
  InvalidPartOrder,
  MalformedXML,
  NoSuchUpload,
} from './object-errors.js';
import type { Retention } from './object-lock.js';
import type { AuthorizeKeyUse, ObjectEncryption, ObjectService } from './object-service.js';

const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PART_BYTES = 5 * 1024 ** 3;
const MAX_PARTS = 10_000;
/** S3's largest object, which only a multipart upload can make. */
const MAX_MULTIPART_OBJECT_BYTES = 5 * 1024 ** 4;

export interface CreateUploadInput {
  bucket: string;
  key: string;
  metadata: Record<string, string>;
  encryption: ObjectEncryption;
  retention?: Retention;
  legalHold?: boolean;
}

/** What an upload will make: its encryption, resolved to a key ARN, and its object lock. */
interface UploadSettings {
  encryption: { mode: ObjectEncryption['mode']; keyArn: string };
  lock: { retention?: Retention; legalHold?: boolean };
}

export class MultipartService {
  constructor(
    private readonly store: ObjectMetadataStore,
    private readonly buckets: BucketService,
    private readonly objects: ObjectService,
    private readonly bytes: ObjectBytes,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts an upload; the KMS key is resolved, checked and authorized now, as S3 does. */
  async create(
    input: CreateUploadInput,
    authorizeKeyUse?: AuthorizeKeyUse,
  ): Promise<{ uploadId: string; keyArn: string }> {
    await this.buckets.get(input.bucket);
    const keyArn = await this.objects.encryptionKey(input.encryption, authorizeKeyUse);
    const uploadId = randomBytes(36).toString('base64url');
    const settings: UploadSettings = {
      encryption: { mode: input.encryption.mode, keyArn },
      lock: {
        ...(input.retention ? { retention: input.retention } : {}),
        ...(input.legalHold === undefined ? {} : { legalHold: input.legalHold }),
      },
    };
    await this.store.multipart.createUpload({
      uploadId,
      bucket: input.bucket,
      key: input.key,
      metadata: input.metadata,
      encryption: settings.encryption,
      lock: settings.lock,
      createdMs: this.now(),
    });
    return { uploadId, keyArn };
  }

  /** Stores one part (replacing an earlier one of the same number). */
  async uploadPart(
    target: { bucket: string; key: string; uploadId: string; partNumber: number },
    body: Readable,
    contentMd5?: Buffer,
  ): Promise<MultipartPartRecord & { keyArn: string; mode: string }> {
    const upload = await this.requireUpload(target.bucket, target.key, target.uploadId);
    const { partNumber } = target;
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PARTS) {
      throw new InvalidArgument(
        { argumentName: 'partNumber', argumentValue: String(partNumber) },
        'Part number must be an integer between 1 and 10000, inclusive',
      );
    }
    const { encryption } = settingsOf(upload);
    const context = partEncryptionContext(upload.bucket, upload.key, upload.uploadId, partNumber);
    const written = await this.bytes.write(
      upload.bucket,
      context,
      encryption.keyArn,
      body,
      MAX_PART_BYTES,
    );
    if (contentMd5 && !contentMd5.equals(Buffer.from(written.md5, 'hex'))) {
      await this.bytes.remove(upload.bucket, written.storageId);
      throw new BadDigest({ key: upload.key });
    }
    const part: MultipartPartRecord = {
      uploadId: upload.uploadId,
      partNumber,
      sizeBytes: written.sizeBytes,
      etag: written.md5,
      sha256: written.sha256,
      storageId: written.storageId,
      createdMs: this.now(),
    };
    const replaced = await this.store.multipart.putPart(part);
    if (replaced) await this.bytes.remove(upload.bucket, replaced.storageId);
    return { ...part, keyArn: encryption.keyArn, mode: encryption.mode };
  }

  /** Joins the listed parts into a new version and forgets the upload. */
  async complete(
    target: { bucket: string; key: string; uploadId: string },
    listed: { partNumber: number; etag: string }[],
    authorizeKeyUse?: AuthorizeKeyUse,
  ): Promise<ObjectVersionRecord> {
    const upload = await this.requireUpload(target.bucket, target.key, target.uploadId);
    const chosen = chooseParts(listed, await this.store.multipart.listParts(upload.uploadId));
    const { encryption, lock } = settingsOf(upload);
    const etag = createHash('md5')
      .update(Buffer.concat(chosen.map((part) => Buffer.from(part.etag, 'hex'))))
      .digest('hex');
    const version = await this.objects.put({
      bucket: upload.bucket,
      key: upload.key,
      body: Readable.from(this.partBytes(upload, chosen)),
      metadata: upload.metadata,
      encryption: { mode: encryption.mode, keyId: encryption.keyArn },
      ...lock,
      maxBytes: MAX_MULTIPART_OBJECT_BYTES,
      etag: `${etag}-${chosen.length}`,
      ...(authorizeKeyUse ? { authorizeKeyUse } : {}),
    });
    await this.forget(upload);
    return version;
  }

  /** Abandons an upload, deleting its parts. */
  async abort(bucket: string, key: string, uploadId: string): Promise<void> {
    await this.forget(await this.requireUpload(bucket, key, uploadId));
  }

  /** The parts uploaded so far, in part-number order. */
  async listParts(bucket: string, key: string, uploadId: string): Promise<MultipartPartRecord[]> {
    await this.requireUpload(bucket, key, uploadId);
    return this.store.multipart.listParts(uploadId);
  }

  /**
   * Each chosen part's plaintext in turn, each read in one pass and checked at its end: a part
   * that fails its check fails the completion's write, which then keeps nothing.
   */
  private async *partBytes(upload: MultipartUploadRecord, parts: MultipartPartRecord[]) {
    for (const part of parts) {
      const stored: StoredBytes = {
        bucket: upload.bucket,
        key: upload.key,
        label: `upload ${upload.uploadId} part ${part.partNumber}`,
        context: partEncryptionContext(upload.bucket, upload.key, upload.uploadId, part.partNumber),
        storageId: part.storageId,
        sizeBytes: part.sizeBytes,
        sha256: part.sha256,
      };
      yield* (await this.bytes.readWholeInOnePass(stored)) as AsyncIterable<Buffer>;
    }
  }

  private async forget(upload: MultipartUploadRecord): Promise<void> {
    const parts = (await this.store.multipart.deleteUpload(upload.uploadId)) ?? [];
    for (const part of parts) await this.bytes.remove(upload.bucket, part.storageId);
  }

  private async requireUpload(bucket: string, key: string, uploadId: string) {
    await this.buckets.get(bucket);
    const upload = await this.store.multipart.getUpload(uploadId);
    if (!upload || upload.bucket !== bucket || upload.key !== key) {
      throw new NoSuchUpload({ key });
    }
    return upload;
  }
}

function settingsOf(upload: MultipartUploadRecord): UploadSettings {
  return { encryption: upload.encryption, lock: upload.lock } as unknown as UploadSettings;
}

/** The stored parts CompleteMultipartUpload lists, checked as S3 checks them. */
function chooseParts(
  listed: { partNumber: number; etag: string }[],
  stored: MultipartPartRecord[],
): MultipartPartRecord[] {
  if (listed.length === 0) throw new MalformedXML();
  const byNumber = new Map(stored.map((part) => [part.partNumber, part]));
  const chosen = listed.map((entry, index) => {
    if (index > 0 && entry.partNumber <= (listed[index - 1]?.partNumber ?? 0)) {
      throw new InvalidPartOrder();
    }
    const part = byNumber.get(entry.partNumber);
    if (!part || part.etag !== entry.etag.replace(/"/g, '').trim()) throw new InvalidPart();
    return part;
  });
  if (chosen.slice(0, -1).some((part) => part.sizeBytes < MIN_PART_BYTES)) {
    throw new EntityTooSmall({}, 'Each part but the last must be at least 5 MiB.');
  }
  return chosen;
}
