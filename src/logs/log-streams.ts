/**
 * DescribeLogStreams over a group's streams: ordered by name (the default) or by the time of
 * their last event, ascending or descending, paged by the position after the last one returned.
 */
import type { ActionLogBounds } from './action-log-events.js';
import { InvalidParameterException } from './logs-errors.js';
import { decodeLogPageToken, encodeLogPageToken } from './log-page-token.js';

const DESCRIBE_LIMIT = 50;

/** One action execution's stream, before its log file is looked at. */
export interface LogStreamSource {
  logStreamName: string;
  /** When the action execution started, in epoch ms. */
  creationTime: number;
  arn: string;
  logFile: string;
  bounds(): Promise<ActionLogBounds | undefined>;
}

export interface DescribeLogStreamsInput {
  logStreamNamePrefix?: string;
  orderBy?: 'LogStreamName' | 'LastEventTime';
  descending?: boolean;
  nextToken?: string;
  limit?: number;
}

interface Described {
  source: LogStreamSource;
  bounds: ActionLogBounds | undefined;
}

/** One page of a group's streams. */
export async function listLogStreams(
  sources: readonly LogStreamSource[],
  input: DescribeLogStreamsInput,
) {
  const byTime = input.orderBy === 'LastEventTime';
  if (byTime && input.logStreamNamePrefix !== undefined) {
    throw new InvalidParameterException(
      'Cannot order by LastEventTime with a logStreamNamePrefix.',
    );
  }
  const prefix = input.logStreamNamePrefix ?? '';
  const matching = sources.filter((source) => source.logStreamName.startsWith(prefix));
  // Ordering by time needs every stream's last event; by name, only the page's.
  const described: Described[] = await Promise.all(
    matching.map(async (source) => ({
      source,
      bounds: byTime ? await source.bounds() : undefined,
    })),
  );
  described.sort(byTime ? compareByLastEvent : compareByName);
  if (input.descending === true) described.reverse();
  const after = decodeLogPageToken('log-streams', input.nextToken);
  const start = after === undefined ? 0 : described.findIndex((d) => positionOf(d) === after) + 1;
  if (after !== undefined && start === 0) {
    throw new InvalidParameterException('The specified nextToken is not valid.');
  }
  const limit = input.limit ?? DESCRIBE_LIMIT;
  const page = described.slice(start, start + limit);
  const last = page[page.length - 1];
  return {
    logStreams: await Promise.all(page.map(describeStream)),
    ...(start + limit < described.length && last
      ? { nextToken: encodeLogPageToken('log-streams', positionOf(last)) }
      : {}),
  };
}

/** A stream's position in a listing: its name, which no other stream has. */
function positionOf(described: Described): string {
  return described.source.logStreamName;
}

function compareByName(a: Described, b: Described): number {
  return a.source.logStreamName < b.source.logStreamName ? -1 : 1;
}

/** By last event; a stream with no event yet sorts by when it was created. */
function compareByLastEvent(a: Described, b: Described): number {
  const time = (d: Described) => d.bounds?.lastEventMs ?? d.source.creationTime;
  return time(a) - time(b) || compareByName(a, b);
}

async function describeStream({ source, bounds }: Described) {
  const known = bounds ?? (await source.bounds());
  return {
    logStreamName: source.logStreamName,
    creationTime: source.creationTime,
    ...(known
      ? {
          firstEventTimestamp: known.firstEventMs,
          lastEventTimestamp: known.lastEventMs,
          lastIngestionTime: known.lastEventMs,
        }
      : {}),
    arn: source.arn,
    storedBytes: known?.storedBytes ?? 0,
  };
}
