/**
 * When each line of an action log was written, kept beside the log in `<log>.times` so that the
 * log itself stays exactly what the action printed (`lockstep logs` and older readers are
 * unchanged). Each record, one per line, is `<byte offset> <epoch ms>`: the bytes of the log
 * from that offset on were written at that time, until the next record. A log written before
 * this file existed has no records, and all its lines take the log file's modification time.
 */

/** The times file of an action log. */
export function logTimesFile(logFile: string): string {
  return `${logFile}.times`;
}

/** One record of a times file. */
export interface LogTimeRecord {
  offset: number;
  timeMs: number;
}

/** A record as written to the times file. */
export function formatLogTimeRecord(record: LogTimeRecord): string {
  return `${record.offset} ${record.timeMs}\n`;
}

/**
 * The records of a times file, in offset order with times that never go back (a clock stepped
 * backwards must not reorder a log); a torn or foreign line is skipped.
 */
export function parseLogTimes(text: string): LogTimeRecord[] {
  const records: LogTimeRecord[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\d{1,15}) (\d{1,15})$/.exec(line);
    if (!match) continue;
    const offset = Number(match[1]);
    const last = records[records.length - 1];
    if (last !== undefined && offset < last.offset) continue;
    records.push({ offset, timeMs: Math.max(Number(match[2]), last?.timeMs ?? 0) });
  }
  return records;
}

/** Answers "when was the byte at this offset written" from a times file's records. */
export class LogTimeline {
  constructor(
    private readonly records: readonly LogTimeRecord[],
    /** The time of bytes before the first record: the log file's modification time. */
    private readonly fallbackMs: number,
  ) {}

  /** The time the byte at `offset` was written. */
  timeAt(offset: number): number {
    let low = 0;
    let high = this.records.length - 1;
    let found: LogTimeRecord | undefined;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const record = this.records[middle]!;
      if (record.offset <= offset) {
        found = record;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return (found ?? this.records[0])?.timeMs ?? this.fallbackMs;
  }
}
