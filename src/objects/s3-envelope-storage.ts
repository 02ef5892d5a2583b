/**
 * Envelopes as objects of one bucket in an external S3-compatible service (AWS S3, MinIO, Ceph,
 * another Lockstep), for installations larger than one machine: every replica reaches the same
 * bytes without a shared directory. The key of an envelope is `<prefix><bucket>/<storage id>`.
 *
 * The service only ever sees sealed envelopes (object-bytes.ts), so it needs no trust beyond
 * keeping bytes: whatever it returns is authenticated and digest-checked before use, and a
 * substituted or altered object fails as a tampered file does.
 */
import {
  GetObjectCommand,
  HeadBucketCommand,
  S3Client,
  S3ServiceException,
  DeleteObjectCommand,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import {
  EnvelopeMissingError,
  type EnvelopeStorage,
  type OpenedEnvelope,
} from './envelope-storage.js';

/** Where envelopes go: `s3://bucket/prefix?endpoint=URL&region=R`, compiled. */
export interface S3StorageLocation {
  bucket: string;
  /** Prepended to every key; empty, or ending in '/'. */
  prefix: string;
  /** The service's URL; the SDK's AWS endpoint for the region when absent. */
  endpoint: string | undefined;
  region: string;
  /** Credentials given to the server; else the SDK's chain (environment, profile, ...). */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
}

/** Uploads of sealed streams go in parts of this size; smaller envelopes in one PutObject. */
const PART_BYTES = 8 * 1024 * 1024;
/** Parts of one envelope in flight at once. */
const PARTS_IN_FLIGHT = 2;

export class S3EnvelopeStorage implements EnvelopeStorage {
  readonly description: string;
  private readonly client: S3Client;

  constructor(private readonly location: S3StorageLocation) {
    this.description = describeLocation(location);
    this.client = new S3Client({
      region: location.region,
      endpoint: location.endpoint,
      credentials: location.credentials,
      // Path-style requests (host/bucket/key): what S3-compatible services all accept.
      forcePathStyle: true,
      // Envelopes carry their own authentication; checksums only where the API demands them
      // keep services that do not know the newer checksum headers usable.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
    });
  }

  async check(): Promise<void> {
    await this.client
      .send(new HeadBucketCommand({ Bucket: this.location.bucket }))
      .catch((error: unknown) => {
        throw new Error(`artifact store ${this.description} cannot be used: ${explain(error)}`);
      });
  }

  async write(bucket: string, storageId: string, sealed: Readable): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.location.bucket, Key: this.keyOf(bucket, storageId), Body: sealed },
      partSize: PART_BYTES,
      queueSize: PARTS_IN_FLIGHT,
      // A failed multipart upload is aborted, so no parts are left behind to pay for.
      leavePartsOnError: false,
    });
    await upload.done().catch((error: unknown) => {
      throw new Error(`could not store ${storageId} in ${this.description}: ${explain(error)}`, {
        cause: error,
      });
    });
  }

  async open(bucket: string, storageId: string, headBytes: number): Promise<OpenedEnvelope> {
    const key = this.keyOf(bucket, storageId);
    // One ranged GET gives the head (or, for a small envelope, all of it) and the total size.
    const response = await this.get(key, `bytes=0-${headBytes - 1}`).catch((error: unknown) => {
      if (isNamed(error, 'NoSuchKey', 'NotFound')) {
        throw new EnvelopeMissingError(bucket, storageId);
      }
      // An empty object has no byte 0; ObjectBytes refuses its size.
      if (isNamed(error, 'InvalidRange')) return undefined;
      throw this.failure('read', storageId, error);
    });
    if (!response) return new OpenedObject(this, key, undefined, 0, Buffer.alloc(0));
    const head = Buffer.from(await response.Body!.transformToByteArray());
    const size = totalSize(response, head.length);
    return new OpenedObject(this, key, response.ETag, size, head.subarray(0, headBytes));
  }

  async remove(bucket: string, storageId: string): Promise<void> {
    const key = this.keyOf(bucket, storageId);
    await this.client
      .send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: key }))
      .catch((error: unknown) => {
        throw this.failure('remove', storageId, error);
      });
  }

  /** An error naming the envelope, the storage and what went wrong, in an operator's words. */
  failure(doing: 'read' | 'remove', what: string, error: unknown): Error {
    return new Error(`could not ${doing} ${what} in ${this.description}: ${explain(error)}`, {
      cause: error,
    });
  }

  /** Objects have no directory to remove; a bucket's envelopes were removed one by one. */
  async removeBucket(): Promise<void> {}

  /** A ranged GET of `key`, only while its ETag is still `etag` when one is given. */
  get(key: string, range: string, etag?: string): Promise<GetObjectCommandOutput> {
    return this.client.send(
      new GetObjectCommand({ Bucket: this.location.bucket, Key: key, Range: range, IfMatch: etag }),
    );
  }

  private keyOf(bucket: string, storageId: string): string {
    return `${this.location.prefix}${bucket}/${storageId}`;
  }
}

/**
 * An object opened by its first GET: later ranges are asked for with If-Match on its ETag, so an
 * object replaced after it was verified is refused rather than served.
 */
class OpenedObject implements OpenedEnvelope {
  constructor(
    private readonly storage: S3EnvelopeStorage,
    private readonly key: string,
    private readonly etag: string | undefined,
    readonly size: number,
    readonly head: Buffer,
  ) {}

  async stream(start: number, end: number): Promise<Readable> {
    if (end < start) return Readable.from([]);
    const response = await this.storage
      .get(this.key, `bytes=${start}-${end}`, this.etag)
      .catch((error: unknown) => {
        throw this.storage.failure('read', this.key, error);
      });
    return response.Body as Readable;
  }

  async close(): Promise<void> {}
}

/** The object's whole size, from Content-Range (206) or from the length of a full answer. */
function totalSize(response: GetObjectCommandOutput, received: number): number {
  const total = /\/(\d+)$/.exec(response.ContentRange ?? '')?.[1];
  return total === undefined ? received : Number(total);
}

function isNamed(error: unknown, ...names: string[]): boolean {
  return error instanceof Error && names.includes(error.name);
}

/** What went wrong, in words an operator can act on. */
function explain(error: unknown): string {
  if (error instanceof S3ServiceException) {
    const status = error.$metadata.httpStatusCode;
    if (error.name === 'NotFound' || error.name === 'NoSuchBucket' || status === 404) {
      return 'the bucket does not exist';
    }
    if (status === 403) return `access denied (${error.name}); check the credentials it is given`;
    if (status === 412) return 'it was replaced after it was opened';
    return `${error.name} (HTTP ${status ?? '?'}): ${error.message}`;
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND') return 'the host name does not resolve';
  return (error as Error).message;
}

function describeLocation(location: S3StorageLocation): string {
  const where = `s3://${location.bucket}/${location.prefix}`;
  return location.endpoint ? `${where} at ${location.endpoint}` : where;
}
