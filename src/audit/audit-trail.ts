/**
 * The one audit hook every API call passes through, allowed or refused (DESIGN.md principle
 * 2), and the only writer of the trail: each record is hash-chained to the one before it in
 * the store's append transaction, and every `checkpointEvery` records (and on close) a
 * signed Merkle checkpoint commits to the whole trail so far (docs/audit-trail.md).
 */
import { randomUUID } from 'node:crypto';
import { Redactor } from '../secrets/redaction.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import type { AuditRecord, StateStore } from '../store/state-store.js';
import { AuditCheckpointer } from './audit-checkpointer.js';
import { auditRecordHash } from './audit-record-hash.js';
import { auditResourcesOf } from './audit-resources.js';
import { loadOrCreateAuditSigningKey } from './audit-signing-key.js';
import { lookupEvents, type LookupEventsInput, type LookupEventsOutput } from './lookup-events.js';

export interface ApiCallRecord {
  eventSource: string;
  eventName: string;
  requestId: string;
  principalArn: string | null;
  accessKeyId: string | null;
  sourceIpAddress: string;
  userAgent: string;
  readOnly: boolean;
  /** Request parameters with secrets already removed by the operation; null if none. */
  requestParameters: unknown;
  /** Response elements with secrets removed; absent or null if none are recorded. */
  responseElements?: unknown;
  error: { code: string; message: string } | null;
  /**
   * The ARN the call was authorized on, when it got that far: the record's resource (none
   * for `*`).
   */
  resourceArn?: string;
}

/**
 * An event the service caused itself: its name, the detail recorded as its parameters and
 * the ARN of the resource it concerns (the pipeline, for the engine's state changes).
 */
export interface ServiceEvent {
  eventName: string;
  detail: unknown;
  resourceArn: string;
}

export interface AuditTrailOptions {
  /** Where the signing key lives (DIR/keys). */
  keysDir: string;
  /** A checkpoint is signed whenever the trail reaches a multiple of this (default 100). */
  checkpointEvery?: number;
  /** Where checkpoint failures are reported; they never fail the call being recorded. */
  logError: (message: string, error: unknown) => void;
}

const DEFAULT_CHECKPOINT_EVERY = 100;

export class AuditTrail {
  private constructor(
    private readonly store: StateStore,
    private readonly checkpointer: AuditCheckpointer,
    private readonly checkpointEvery: number,
    private readonly logError: AuditTrailOptions['logError'],
  ) {}

  /** Loads (or creates) the signing key and returns the trail over `store`. */
  static async open(store: StateStore, options: AuditTrailOptions): Promise<AuditTrail> {
    const every = options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
    if (!Number.isSafeInteger(every) || every < 1) throw new Error('checkpointEvery must be >= 1');
    const key = await loadOrCreateAuditSigningKey(options.keysDir);
    return new AuditTrail(
      store,
      new AuditCheckpointer(store, key, Date.now, every),
      every,
      options.logError,
    );
  }

  /** Appends one API call to the trail. */
  async recordCall(call: ApiCallRecord): Promise<void> {
    const stored = await this.store.appendAudit(toAuditRecord(call), auditRecordHash);
    this.checkpointCrossed(stored.sequence - 1, stored.sequence);
  }

  /**
   * Appends events the service itself caused (CloudTrail's AwsServiceEvent: the engine's
   * execution, stage and action state changes, with no caller) as consecutive records in one
   * transaction: one decision's changes are sealed with one commit, not one each.
   */
  async recordServiceEvents(events: readonly ServiceEvent[]): Promise<void> {
    const records = events.map((event) => toAuditRecord(serviceCall(event)));
    const stored = await this.store.appendAuditBatch(records, auditRecordHash);
    const first = stored[0];
    const last = stored.at(-1);
    if (first && last) this.checkpointCrossed(first.sequence - 1, last.sequence);
  }

  /** Answers CloudTrail LookupEvents from the trail. */
  lookupEvents(input: LookupEventsInput, scope: AccountScope): Promise<LookupEventsOutput> {
    return lookupEvents(this.store, input, scope);
  }

  /** Signs a final checkpoint over every record; call before the store closes. */
  async close(): Promise<void> {
    await this.checkpoint(undefined);
  }

  /**
   * Signs a checkpoint at every multiple of checkpointEvery in (before, after]: a batch may
   * cross one, or several, anywhere inside it. Not awaited: the caller need not wait for a
   * signature; close() waits.
   */
  private checkpointCrossed(before: number, after: number): void {
    const every = this.checkpointEvery;
    for (let size = (Math.floor(before / every) + 1) * every; size <= after; size += every) {
      void this.checkpoint(size);
    }
  }

  private async checkpoint(treeSize: number | undefined): Promise<void> {
    try {
      await this.checkpointer.checkpoint(treeSize);
    } catch (error) {
      this.logError(`audit checkpoint at ${treeSize ?? 'the head'} failed`, error);
    }
  }
}

/** CloudTrail's AwsServiceEvent: the service's own source, no caller, no key. */
function serviceCall({ eventName, detail, resourceArn }: ServiceEvent): ApiCallRecord {
  return {
    eventSource: 'codepipeline.amazonaws.com',
    eventName,
    requestId: randomUUID(),
    principalArn: null,
    accessKeyId: null,
    sourceIpAddress: 'codepipeline.amazonaws.com',
    userAgent: 'codepipeline.amazonaws.com',
    readOnly: false,
    requestParameters: detail,
    error: null,
    resourceArn,
  };
}

function toAuditRecord(call: ApiCallRecord): AuditRecord {
  return {
    eventId: randomUUID(),
    eventTimeMs: Date.now(),
    eventSource: call.eventSource,
    eventName: call.eventName,
    requestId: call.requestId,
    principalArn: call.principalArn,
    accessKeyId: call.accessKeyId,
    sourceIpAddress: call.sourceIpAddress,
    userAgent: call.userAgent.slice(0, 1024),
    readOnly: call.readOnly,
    errorCode: call.error?.code ?? null,
    errorMessage: call.error === null ? null : Redactor.shapesOnly.redact(call.error.message),
    requestParametersJson: toJsonOrNull(call.requestParameters),
    responseElementsJson: toJsonOrNull(call.responseElements),
    formatVersion: 2,
    resourcesJson: resourcesJson(call.resourceArn),
  };
}

/** The resources member of a version 2 record: null when the call named none. */
function resourcesJson(arn: string | undefined): string | null {
  const resources = auditResourcesOf(arn);
  return resources.length === 0 ? null : JSON.stringify(resources);
}

/**
 * The stored JSON of a document, with every string scrubbed of well-known credential shapes
 * first: a token pasted into a refused declaration must not live on in the trail. Strings are
 * scrubbed one by one, so a match can never swallow JSON syntax.
 */
function toJsonOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return JSON.stringify(value, (_key, member: unknown) =>
    typeof member === 'string' && !ACCESS_KEY_ID.test(member)
      ? Redactor.shapesOnly.redact(member)
      : member,
  );
}

/**
 * A member that is exactly an access key id names a key (AccessKeyId of DeleteAccessKey, of a
 * session): CloudTrail records those, and without the secret they grant nothing.
 */
const ACCESS_KEY_ID = /^(AKIA|ASIA)[A-Z2-7]{16}$/;
