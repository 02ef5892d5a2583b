/**
 * ListObjectsV2 and ListObjectVersions: keys in UTF-8 byte order (the store's collation), a
 * prefix, a delimiter rolling keys up into common prefixes, and pages of at most max-keys
 * entries (objects and common prefixes count alike), resumed by a continuation token or by
 * key and version-id markers.
 */
import type { ObjectMetadataStore, ObjectVersionRecord } from '../store/object-metadata-store.js';
import type { BucketService } from './bucket-service.js';
import { InvalidArgument } from './object-errors.js';

/** Past every key that starts with a prefix P, in byte order: P + the last code point. */
const AFTER_PREFIX = '\u{10FFFF}';
const BATCH = 1000;

export interface ListQuery {
  prefix: string;
  delimiter?: string;
  maxKeys: number;
}

/** One listed entry: a version (or delete marker), or a common prefix. */
export type ListEntry = { version: ObjectVersionRecord } | { commonPrefix: string };

export interface ObjectsPage {
  contents: ObjectVersionRecord[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextContinuationToken?: string;
  /** ListObjects (v1)'s NextMarker: the last key or common prefix of a truncated page. */
  nextMarker?: string;
}

export interface VersionsPage {
  entries: ListEntry[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextVersionIdMarker?: string;
}

export class ObjectListing {
  constructor(
    private readonly store: ObjectMetadataStore,
    private readonly buckets: BucketService,
  ) {}

  /**
   * ListObjectsV2 (and ListObjects with `marker`): the latest version of each key that is not a
   * delete marker. A v1 marker ending in the delimiter is a common prefix an earlier page gave.
   */
  async listObjects(
    bucket: string,
    query: ListQuery & { continuationToken?: string; startAfter?: string; marker?: string },
  ): Promise<ObjectsPage> {
    await this.buckets.get(bucket);
    const { delimiter, marker } = query;
    const resume = query.continuationToken
      ? decodeToken(query.continuationToken)
      : marker !== undefined
        ? { key: marker, isPrefix: delimiter !== undefined && marker.endsWith(delimiter) }
        : { key: query.startAfter, isPrefix: false };
    const walk = new Walk(query, resume.isPrefix ? resume.key : undefined);
    const rows = this.batches((after) =>
      this.store.listLatest(bucket, query.prefix, walk.cursor(after?.key ?? resume.key), BATCH),
    );
    const { entries, isTruncated } = await walk.collect(rows);
    const last = entries.at(-1);
    return {
      contents: entries.flatMap((e) => ('version' in e ? [e.version] : [])),
      commonPrefixes: entries.flatMap((e) => ('commonPrefix' in e ? [e.commonPrefix] : [])),
      isTruncated,
      ...(isTruncated && last
        ? {
            nextContinuationToken: encodeToken(last),
            nextMarker: 'version' in last ? last.version.key : last.commonPrefix,
          }
        : {}),
    };
  }

  /** ListObjectVersions: every version and delete marker, newest first within a key. */
  async listVersions(
    bucket: string,
    query: ListQuery & { keyMarker?: string; versionIdMarker?: string },
  ): Promise<VersionsPage> {
    await this.buckets.get(bucket);
    const start = await this.versionCursor(bucket, query.keyMarker, query.versionIdMarker);
    const markerIsPrefix =
      query.delimiter !== undefined &&
      query.versionIdMarker === undefined &&
      query.keyMarker?.startsWith(query.prefix) === true &&
      query.keyMarker.endsWith(query.delimiter);
    const walk = new Walk(query, markerIsPrefix ? query.keyMarker : undefined);
    const rows = this.batches((after) => {
      const from = after ? { key: after.key, seq: after.seq } : start;
      const key = walk.cursor(from?.key);
      const cursor = key === undefined ? undefined : { key, seq: key === from?.key ? from.seq : 0 };
      return this.store.listVersions(bucket, query.prefix, cursor, BATCH);
    });
    const { entries, isTruncated } = await walk.collect(rows);
    const last = entries.at(-1);
    if (!isTruncated || !last) return { entries, isTruncated };
    return 'version' in last
      ? {
          entries,
          isTruncated,
          nextKeyMarker: last.version.key,
          nextVersionIdMarker: last.version.versionId,
        }
      : { entries, isTruncated, nextKeyMarker: last.commonPrefix };
  }

  /** Where a version listing starts: after the marker version, or after every version of the key. */
  private async versionCursor(bucket: string, keyMarker?: string, versionIdMarker?: string) {
    if (keyMarker === undefined) return undefined;
    if (versionIdMarker === undefined) return { key: keyMarker, seq: 0 };
    const marker = await this.store.getVersion(bucket, keyMarker, versionIdMarker);
    if (!marker) {
      throw new InvalidArgument(
        { argumentName: 'version-id-marker', argumentValue: versionIdMarker },
        'Invalid version id specified',
      );
    }
    return { key: keyMarker, seq: marker.seq };
  }

  /** The rows a fetcher returns, batch after batch, each resuming after the last row seen. */
  private async *batches(
    fetch: (after: ObjectVersionRecord | undefined) => Promise<ObjectVersionRecord[]>,
  ): AsyncGenerator<ObjectVersionRecord> {
    let last: ObjectVersionRecord | undefined;
    for (;;) {
      const rows = await fetch(last);
      yield* rows;
      if (rows.length < BATCH) return;
      last = rows.at(-1);
    }
  }
}

/** One listing's pass over the keys: the prefix, the roll-up into common prefixes, the page. */
class Walk {
  private lastPrefix: string | undefined;

  constructor(
    private readonly query: ListQuery,
    /** A common prefix an earlier page ended on: its keys were listed already, as that prefix. */
    resumedPrefix: string | undefined,
  ) {
    this.lastPrefix = resumedPrefix;
  }

  /** Where the next batch starts: after `key`, or past the common prefix being skipped. */
  cursor(key: string | undefined): string | undefined {
    const skipping = this.lastPrefix;
    if (skipping !== undefined && (key === undefined || key.startsWith(skipping))) {
      return skipping + AFTER_PREFIX;
    }
    return key;
  }

  /** Takes entries from `rows` until the page is full (truncated if any entry remains). */
  async collect(
    rows: AsyncIterable<ObjectVersionRecord>,
  ): Promise<{ entries: ListEntry[]; isTruncated: boolean }> {
    const entries: ListEntry[] = [];
    const { prefix, delimiter, maxKeys } = this.query;
    for await (const version of rows) {
      if (!version.key.startsWith(prefix)) break;
      const rolled = delimiter === undefined ? -1 : version.key.indexOf(delimiter, prefix.length);
      const commonPrefix =
        rolled < 0 ? undefined : version.key.slice(0, rolled + (delimiter ?? '').length);
      if (commonPrefix !== undefined && commonPrefix === this.lastPrefix) continue;
      if (entries.length >= maxKeys) return { entries, isTruncated: true };
      if (commonPrefix === undefined) {
        entries.push({ version });
      } else {
        this.lastPrefix = commonPrefix;
        entries.push({ commonPrefix });
      }
    }
    return { entries, isTruncated: false };
  }
}

/** An opaque token naming where the next page starts: after a key, or after a prefix's keys. */
function encodeToken(entry: ListEntry): string {
  const text = 'version' in entry ? `k${entry.version.key}` : `p${entry.commonPrefix}`;
  return Buffer.from(text, 'utf8').toString('base64url');
}

function decodeToken(token: string): { key: string; isPrefix: boolean } {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (!/^[kp]/.test(text) || Buffer.from(text, 'utf8').toString('base64url') !== token) {
    throw new InvalidArgument(
      { argumentName: 'continuation-token', argumentValue: token },
      'The continuation token provided is incorrect',
    );
  }
  return { key: text.slice(1), isPrefix: text.startsWith('p') };
}
