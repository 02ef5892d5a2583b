import { mkdir, mkdtemp, readFile, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestKeyService } from '../../test/support/key-service.js';
import { LineLog } from '../sandbox/line-log.js';
import { Redactor } from '../secrets/redaction.js';
import { actionLogBounds, readActionLogEvents } from './action-log-events.js';
import { LogTimeline, logTimesFile, parseLogTimes } from './action-log-times.js';
import { ActionLogCipher } from './sealed-log.js';

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('the times file', () => {
  it('parses records, skipping foreign lines, and never lets time go back', () => {
    const records = parseLogTimes('0 1000\n10 900\ngarbage\n5 2000\n20 3000\n30 30');
    expect(records).toEqual([
      { offset: 0, timeMs: 1000 },
      { offset: 10, timeMs: 1000 },
      { offset: 20, timeMs: 3000 },
      // A record torn mid-write can only say "no later than the one before".
      { offset: 30, timeMs: 3000 },
    ]);
  });

  it('dates a byte by the last record at or before it, else the fallback', () => {
    const timeline = new LogTimeline(parseLogTimes('5 100\n10 200\n'), 7);
    expect([0, 5, 9, 10, 99].map((offset) => timeline.timeAt(offset))).toEqual([
      100, 100, 100, 200, 200,
    ]);
    expect(new LogTimeline([], 7).timeAt(3)).toBe(7);
  });
});

describe('an action log written by LineLog and read as events', () => {
  let logsDir: string;
  let cipher: ActionLogCipher;
  let closeKeys: () => Promise<void>;
  const read = (file: string) => cipher.read(file);

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lockstep-logs-'));
    const keys = await openTestKeyService(dir);
    closeKeys = () => keys.close();
    logsDir = path.join(dir, 'logs');
    await mkdir(logsDir);
    cipher = new ActionLogCipher(keys.kms, logsDir);
  });
  afterAll(() => closeKeys());

  it('gives each line its write time, redacted, with the line ending kept', async () => {
    const file = path.join(logsDir, 'a.log');
    const log = await LineLog.open(file, new Redactor(['s3cret-value']), cipher);
    log.writeLine('first s3cret-value');
    await new Promise((resolve) => setTimeout(resolve, 30));
    await log.attach(Readable.from([Buffer.from('second\nthird without end')]));
    await log.close();
    const events = await all(readActionLogEvents(file, read));
    expect(events.map((e) => e.message)).toEqual([
      'first ***\n',
      'second\n',
      'third without end\n',
    ]);
    expect(events[1]!.timestampMs - events[0]!.timestampMs).toBeGreaterThanOrEqual(25);
    expect(await readFile(logTimesFile(file), 'utf8')).toMatch(/^0 \d{13}\n(\d+ \d{13}\n)+$/);
    expect(await actionLogBounds(file, (f) => cipher.plaintextLength(f))).toEqual({
      firstEventMs: events[0]!.timestampMs,
      lastEventMs: events[2]!.timestampMs,
      storedBytes: Buffer.byteLength(events.map((e) => e.message).join('')),
    });
  });

  it('reads a log from before the times file with the file’s modification time', async () => {
    const file = path.join(logsDir, 'old.log');
    await writeFile(file, 'one\ntwo\n');
    await utimes(file, 1_700_000_000, 1_700_000_000);
    const events = await all(readActionLogEvents(file, read));
    expect(events.map((e) => [e.index, e.timestampMs, e.message])).toEqual([
      [0, 1_700_000_000_000, 'one\n'],
      [1, 1_700_000_000_000, 'two\n'],
    ]);
  });

  it('has no events and no bounds when the action printed nothing', async () => {
    const file = path.join(logsDir, 'none.log');
    expect(await all(readActionLogEvents(file, read))).toEqual([]);
    expect(await actionLogBounds(file, (f) => cipher.plaintextLength(f))).toBeUndefined();
  });
});
