/**
 * An action log read as CloudWatch Logs events: each line is one event, its message the line as
 * the action wrote it (with its line ending, as CodeBuild's events have), its timestamp from the
 * times file beside the log. The log is opened whole (it is sealed at rest: logs/sealed-log.ts);
 * `lockstep logs` shows at most its last megabyte, and action logs are the size of build output.
 */
import { readFile, stat } from 'node:fs/promises';
import { LogTimeline, logTimesFile, parseLogTimes } from './action-log-times.js';

/** The plaintext of a log file (ActionLogs.readPlaintext); empty when there is none. */
export type ActionLogReader = (logFile: string) => Promise<Buffer>;

/** One line of an action log. */
export interface ActionLogEvent {
  /** The line's position in the log, from 0. */
  index: number;
  timestampMs: number;
  message: string;
}

/** The log's events in order; none when the action printed nothing (and so has no file). */
export async function* readActionLogEvents(
  logFile: string,
  read: ActionLogReader,
): AsyncGenerator<ActionLogEvent> {
  const timeline = await timelineOf(logFile);
  if (timeline === undefined) return;
  const data = await read(logFile);
  let index = 0;
  let offset = 0;
  while (offset < data.length) {
    const newline = data.indexOf(0x0a, offset);
    const end = newline === -1 ? data.length : newline + 1;
    const message = data.subarray(offset, end).toString();
    yield { index: index++, timestampMs: timeline.timeAt(offset), message };
    offset = end;
  }
}

/** The first and last event times and the size of a log, for DescribeLogStreams. */
export interface ActionLogBounds {
  firstEventMs: number;
  lastEventMs: number;
  storedBytes: number;
}

/** The bounds of a log; undefined when it has no events. */
export async function actionLogBounds(
  logFile: string,
  plaintextLength: (logFile: string) => Promise<number>,
): Promise<ActionLogBounds | undefined> {
  const size = await plaintextLength(logFile);
  if (size === 0) return undefined;
  const timeline = await timelineOf(logFile);
  if (timeline === undefined) return undefined;
  return {
    firstEventMs: timeline.timeAt(0),
    lastEventMs: timeline.timeAt(size - 1),
    storedBytes: size,
  };
}

async function timelineOf(logFile: string): Promise<LogTimeline | undefined> {
  let modifiedMs: number;
  try {
    modifiedMs = Math.floor((await stat(logFile)).mtimeMs);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const times = await readFile(logTimesFile(logFile), 'utf8').catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  });
  return new LogTimeline(parseLogTimes(times), modifiedMs);
}
