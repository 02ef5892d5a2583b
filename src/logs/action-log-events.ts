/**
 * An action log read as CloudWatch Logs events: each line is one event, its message the line as
 * the action wrote it (with its line ending, as CodeBuild's events have), its timestamp from the
 * times file beside the log. Read as a stream, so a large log never sits in memory whole.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { LogTimeline, logTimesFile, parseLogTimes } from './action-log-times.js';

/** One line of an action log. */
export interface ActionLogEvent {
  /** The line's position in the log, from 0. */
  index: number;
  timestampMs: number;
  message: string;
}

/** The log's events in order; none when the action printed nothing (and so has no file). */
export async function* readActionLogEvents(logFile: string): AsyncGenerator<ActionLogEvent> {
  const timeline = await timelineOf(logFile);
  if (timeline === undefined) return;
  let index = 0;
  let offset = 0;
  let partial = Buffer.alloc(0);
  for await (const chunk of createReadStream(logFile) as AsyncIterable<Buffer>) {
    let data = partial.length > 0 ? Buffer.concat([partial, chunk]) : chunk;
    let newline = data.indexOf(0x0a);
    while (newline >= 0) {
      const line = data.subarray(0, newline + 1);
      yield { index: index++, timestampMs: timeline.timeAt(offset), message: line.toString() };
      offset += line.length;
      data = data.subarray(newline + 1);
      newline = data.indexOf(0x0a);
    }
    partial = Buffer.from(data);
  }
  if (partial.length > 0) {
    yield { index, timestampMs: timeline.timeAt(offset), message: partial.toString() };
  }
}

/** The first and last event times and the size of a log, for DescribeLogStreams. */
export interface ActionLogBounds {
  firstEventMs: number;
  lastEventMs: number;
  storedBytes: number;
}

/** The bounds of a log; undefined when it has no events. */
export async function actionLogBounds(logFile: string): Promise<ActionLogBounds | undefined> {
  const size = await stat(logFile).then(
    (stats) => stats.size,
    () => 0,
  );
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
