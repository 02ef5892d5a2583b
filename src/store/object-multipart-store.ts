/**
 * Multipart uploads in progress, as the store keeps them: what CreateMultipartUpload asked for
 * (opaque JSON here; src/objects/multipart-service.ts owns its shape) and the parts uploaded so
 * far, each one encrypted file like an object version's.
 */

export interface MultipartUploadRecord {
  uploadId: string;
  bucket: string;
  key: string;
  metadata: Record<string, string>;
  encryption: Record<string, unknown>;
  lock: Record<string, unknown>;
  createdMs: number;
}

export interface MultipartPartRecord {
  uploadId: string;
  /** 1 to 10,000. */
  partNumber: number;
  sizeBytes: number;
  /** MD5 hex of the part's plaintext, unquoted. */
  etag: string;
  sha256: string;
  storageId: string;
  createdMs: number;
}

export interface MultipartUploadStore {
  createUpload(upload: MultipartUploadRecord): Promise<void>;
  getUpload(uploadId: string): Promise<MultipartUploadRecord | undefined>;
  /** Stores a part, replacing one of the same number, which it returns so its bytes can go. */
  putPart(part: MultipartPartRecord): Promise<MultipartPartRecord | undefined>;
  /** The upload's parts in part-number order. */
  listParts(uploadId: string): Promise<MultipartPartRecord[]>;
  /** Forgets an upload and its parts, returning the parts; undefined if there was none. */
  deleteUpload(uploadId: string): Promise<MultipartPartRecord[] | undefined>;
}
