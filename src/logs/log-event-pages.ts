/**
 * Pages of log events as GetLogEvents and FilterLogEvents return them: at most `limit` events
 * (10,000 by default) and at most 1 MB, counted as CloudWatch Logs does (the message's UTF-8
 * bytes plus 26 per event), always oldest first within a page.
 */
import type { ActionLogEvent } from './action-log-events.js';
import type { MessageFilter } from './filter-pattern.js';
import { InvalidParameterException } from './logs-errors.js';

const MAX_EVENTS = 10_000;
const MAX_PAGE_BYTES = 1024 * 1024;
const EVENT_OVERHEAD_BYTES = 26;

/** What GetLogEvents asks of one stream. */
export interface StreamQuery {
  startTime?: number;
  endTime?: number;
  nextToken?: string;
  startFromHead?: boolean;
  limit?: number;
}

/** One event in GetLogEvents' output shape (OutputLogEvent). */
export interface OutputLogEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
}

/** GetLogEvents' output. */
export interface StreamPage {
  events: OutputLogEvent[];
  nextForwardToken: string;
  nextBackwardToken: string;
}

function eventBytes(message: string): number {
  return Buffer.byteLength(message, 'utf8') + EVENT_OVERHEAD_BYTES;
}

function output(event: ActionLogEvent): OutputLogEvent {
  return { timestamp: event.timestampMs, message: event.message, ingestionTime: event.timestampMs };
}

/**
 * One page of a stream. Tokens are `f/<n>` (forward from the n-th event in the time range) and
 * `b/<n>` (backward, ending before it); at either end of the stream the token passed in comes
 * back unchanged, which is how SDK loops know to stop. Without a token, the page is the
 * stream's first events when startFromHead is true, else its last ones.
 */
export async function streamPage(
  events: AsyncIterable<ActionLogEvent>,
  query: StreamQuery,
): Promise<StreamPage> {
  const inRange = (event: ActionLogEvent) =>
    (query.startTime === undefined || event.timestampMs >= query.startTime) &&
    (query.endTime === undefined || event.timestampMs < query.endTime);
  const limit = query.limit ?? MAX_EVENTS;
  const token = parseStreamToken(query.nextToken);
  const forward = token ? token.forward : query.startFromHead === true;
  const position = token ? token.position : forward ? 0 : Number.POSITIVE_INFINITY;
  const page: OutputLogEvent[] = [];
  let bytes = 0;
  let index = 0;
  for await (const event of events) {
    if (!inRange(event)) continue;
    if (forward && index >= position) {
      const size = eventBytes(event.message);
      if (page.length >= limit || bytes + size > MAX_PAGE_BYTES) break;
      page.push(output(event));
      bytes += size;
    } else if (!forward) {
      if (index >= position) break;
      page.push(output(event));
      bytes += eventBytes(event.message);
      // Keep only the last events that fit: the page ends where the token pointed.
      while (page.length > limit || bytes > MAX_PAGE_BYTES)
        bytes -= eventBytes(page.shift()!.message);
    }
    index++;
  }
  const first = forward ? position : index - page.length;
  return {
    events: page,
    nextForwardToken: `f/${first + page.length}`,
    nextBackwardToken: `b/${first}`,
  };
}

function parseStreamToken(token: string | undefined) {
  if (token === undefined) return undefined;
  const match = /^([fb])\/(\d{1,15})$/.exec(token);
  if (!match) throw new InvalidParameterException('The specified nextToken is not valid.');
  return { forward: match[1] === 'f', position: Number(match[2]) };
}

/** One stream FilterLogEvents searches. */
export interface SearchedStream {
  logStreamName: string;
  events(): AsyncIterable<ActionLogEvent>;
}

/** What FilterLogEvents asks. */
export interface SearchQuery {
  startTime?: number;
  endTime?: number;
  filter: MessageFilter;
  nextToken?: string;
  limit?: number;
}

/** One event in FilterLogEvents' output shape (FilteredLogEvent). */
export interface FilteredLogEvent extends OutputLogEvent {
  logStreamName: string;
  eventId: string;
}

/** Where an event sorts: by time, then stream, then position in the stream. */
type EventKey = [timestampMs: number, logStreamName: string, index: number];

/**
 * One page of matching events of several streams, interleaved by time. The token is the key of
 * the last event returned, so a page never repeats or skips an event while streams grow.
 */
export async function searchPage(
  streams: readonly SearchedStream[],
  query: SearchQuery,
): Promise<{ events: FilteredLogEvent[]; nextToken?: string }> {
  const limit = query.limit ?? MAX_EVENTS;
  const after = parseSearchToken(query.nextToken);
  const found: Found[] = [];
  for (const stream of streams) {
    // One more than a page from each stream tells whether another page exists.
    found.push(...(await searchStream(stream, query, after, limit + 1)));
  }
  found.sort((a, b) => compareKeys(a.key, b.key));
  const page: Found[] = [];
  let bytes = 0;
  for (const item of found) {
    const size = eventBytes(item.event.message);
    if (page.length >= limit || bytes + size > MAX_PAGE_BYTES) break;
    page.push(item);
    bytes += size;
  }
  const last = page[page.length - 1];
  return {
    events: page.map((item) => item.event),
    ...(found.length > page.length && last ? { nextToken: searchToken(last.key) } : {}),
  };
}

/** A matching event and where it sorts. */
interface Found {
  key: EventKey;
  event: FilteredLogEvent;
}

async function searchStream(
  stream: SearchedStream,
  query: SearchQuery,
  after: EventKey | undefined,
  max: number,
): Promise<Found[]> {
  const found: Found[] = [];
  for await (const event of stream.events()) {
    // A stream's times never go back (see action-log-times.ts), so nothing later can match.
    if (query.endTime !== undefined && event.timestampMs > query.endTime) break;
    if (query.startTime !== undefined && event.timestampMs < query.startTime) continue;
    const key: EventKey = [event.timestampMs, stream.logStreamName, event.index];
    if (after !== undefined && compareKeys(key, after) <= 0) continue;
    if (!query.filter(event.message)) continue;
    found.push({
      key,
      event: {
        logStreamName: stream.logStreamName,
        ...output(event),
        eventId: `${stream.logStreamName}/${event.index}`,
      },
    });
    if (found.length >= max) break;
  }
  return found;
}

function compareKeys(a: EventKey, b: EventKey): number {
  if (a[0] !== b[0]) return a[0] - b[0];
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return a[2] - b[2];
}

function searchToken(key: EventKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function parseSearchToken(token: string | undefined): EventKey | undefined {
  if (token === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (
    Array.isArray(key) &&
    key.length === 3 &&
    typeof key[0] === 'number' &&
    typeof key[1] === 'string' &&
    typeof key[2] === 'number'
  ) {
    return key as EventKey;
  }
  throw new InvalidParameterException('The specified nextToken is not valid.');
}
