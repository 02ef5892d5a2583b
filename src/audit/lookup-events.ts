/**
 * CloudTrail LookupEvents over the audit trail: one lookup attribute, a time range, pages of
 * at most 50, newest first, each event with its full CloudTrail record as a JSON string.
 */
import { createHash } from 'node:crypto';
import {
  InvalidLookupAttributesException,
  InvalidTimeRangeException,
} from '../errors/cloudtrail-errors.js';
import { InvalidNextTokenException } from '../errors/codepipeline-errors.js';
import { decodePageToken, encodePageToken } from '../pipelines/page-token.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import type { AuditLookupQuery, StateStore, StoredAuditRecord } from '../store/state-store.js';
import { cloudTrailEvent, lookupUsername, recordResources } from './cloudtrail-event.js';

/** LookupEvents' input, as the model validator lets it through (timestamps as sent). */
export interface LookupEventsInput {
  LookupAttributes?: { AttributeKey: string; AttributeValue: string }[];
  StartTime?: number | string;
  EndTime?: number | string;
  EventCategory?: string;
  MaxResults?: number;
  NextToken?: string;
}

export interface LookupEvent {
  EventId: string;
  EventName: string;
  ReadOnly: string;
  AccessKeyId?: string;
  EventTime: Date;
  EventSource: string;
  Username?: string;
  Resources: { ResourceType?: string; ResourceName?: string }[];
  CloudTrailEvent: string;
}

export interface LookupEventsOutput {
  Events: LookupEvent[];
  NextToken?: string;
}

const DEFAULT_MAX_RESULTS = 50;
const SUPPORTED_KEYS = [
  'EventId',
  'EventName',
  'EventSource',
  'ReadOnly',
  'AccessKeyId',
  'Username',
  'ResourceName',
  'ResourceType',
] as const;

/** Answers a LookupEvents request from the trail. */
export async function lookupEvents(
  store: Pick<StateStore, 'lookupAudit'>,
  input: LookupEventsInput,
  scope: AccountScope,
): Promise<LookupEventsOutput> {
  const filter = compileFilter(input);
  // Only management events are recorded; asking for Insights events finds none, as on a
  // trail without Insights.
  if (input.EventCategory === 'insight') return { Events: [] };
  // The token is bound to the filter, as CloudTrail requires the same parameters with it.
  const tokenKind = `LookupEvents:${createHash('sha256').update(JSON.stringify(filter)).digest('hex').slice(0, 16)}`;
  const limit = input.MaxResults ?? DEFAULT_MAX_RESULTS;
  const query: AuditLookupQuery = { ...filter, limit: limit + 1 };
  const after = decodePageToken(tokenKind, input.NextToken);
  if (after !== undefined) query.beforeSequence = tokenSequence(after);
  const records = await store.lookupAudit(query);
  const page = records.slice(0, limit);
  const last = page.at(-1);
  return {
    Events: page.map((record) => toLookupEvent(record, scope)),
    ...(records.length > limit && last
      ? { NextToken: encodePageToken(tokenKind, String(last.sequence)) }
      : {}),
  };
}

function compileFilter(input: LookupEventsInput): Omit<AuditLookupQuery, 'limit'> {
  const startMs = toEpochMs(input.StartTime);
  const endMs = toEpochMs(input.EndTime);
  if (startMs !== undefined && endMs !== undefined && startMs > endMs) {
    throw new InvalidTimeRangeException('Start time must be earlier than end time.');
  }
  const attributes = input.LookupAttributes ?? [];
  if (attributes.length > 1) {
    throw new InvalidLookupAttributesException('You can only specify one lookup attribute.');
  }
  const [first] = attributes;
  if (first === undefined) return { startMs, endMs };
  const key = SUPPORTED_KEYS.find((k) => k === first.AttributeKey);
  if (key === undefined) {
    throw new InvalidLookupAttributesException(
      `Lookup attribute ${first.AttributeKey} is not supported by Lockstep; use one of ${SUPPORTED_KEYS.join(', ')}.`,
    );
  }
  if (key === 'ReadOnly' && first.AttributeValue !== 'true' && first.AttributeValue !== 'false') {
    throw new InvalidLookupAttributesException("ReadOnly must be 'true' or 'false'.");
  }
  return { attribute: { key, value: first.AttributeValue }, startMs, endMs };
}

function toEpochMs(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' ? Math.round(value * 1000) : Date.parse(value);
}

function tokenSequence(text: string): number {
  const sequence = Number(text);
  if (!Number.isSafeInteger(sequence) || sequence < 1) {
    throw new InvalidNextTokenException('The next token is not valid for this request.');
  }
  return sequence;
}

function toLookupEvent(record: StoredAuditRecord, scope: AccountScope): LookupEvent {
  const username = lookupUsername(record);
  return {
    EventId: record.eventId,
    EventName: record.eventName,
    ReadOnly: String(record.readOnly),
    ...(record.accessKeyId === null ? {} : { AccessKeyId: record.accessKeyId }),
    EventTime: new Date(record.eventTimeMs),
    EventSource: record.eventSource,
    ...(username === undefined ? {} : { Username: username }),
    Resources: recordResources(record).map((r) => ({ ResourceType: r.type, ResourceName: r.name })),
    CloudTrailEvent: JSON.stringify(cloudTrailEvent(record, scope)),
  };
}
