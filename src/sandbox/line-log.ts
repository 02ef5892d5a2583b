import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { mkdir, readFile, truncate } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { formatLogTimeRecord, logTimesFile } from '../logs/action-log-times.js';
import {
  isSealed,
  sealedLogExtent,
  type ActionLogCipher,
  type SealedLogSegment,
} from '../logs/sealed-log.js';
import { Redactor } from '../secrets/redaction.js';

/** A line longer than this is written in pieces, so one endless line cannot exhaust memory. */
const MAX_PENDING_CHARS = 64 * 1024;

/**
 * Appends what a process writes to a log file, whole lines at a time, so that stdout and stderr
 * interleave by line rather than mid-line. Each stream is redacted on its own before it is cut
 * into lines (so a secret split between two reads, or across the cut of an endless line, is
 * still found): the well-known credential shapes at least, and the run's secret values when
 * the caller has them. The times file beside the log records when each piece was written.
 * Given a cipher, every piece is sealed before it reaches the disk (logs/sealed-log.ts).
 */
export class LineLog {
  private lastTimeMs = 0;
  /** The segment sealing what is written, once its data key has come from KMS. */
  private segment: SealedLogSegment | undefined;
  /** Pieces written while the data key is on its way; they are sealed when it comes. */
  private waiting: Buffer[] | undefined;
  /** Settles when the data key has come (or failed to: `sealingFailure`). */
  private sealing: Promise<void> = Promise.resolve();
  private sealingFailure: Error | undefined;

  private constructor(
    private readonly out: WriteStream,
    private readonly times: WriteStream,
    private readonly redactor: Redactor,
    /** Where the next plaintext byte lands in the log: the times file's records point at it. */
    private offset: number,
    private readonly logFile: string,
  ) {}

  /**
   * Opens `logFile` for appending, creating its directory; what is written goes through
   * `redactor`, then `cipher` when given. A log written in clear before logs were sealed is
   * continued in clear, since one file cannot mix the two.
   */
  static async open(
    logFile: string,
    redactor: Redactor = Redactor.shapesOnly,
    cipher?: ActionLogCipher,
  ): Promise<LineLog> {
    await mkdir(path.dirname(logFile), { recursive: true, mode: 0o700 });
    const existing = await readFile(logFile).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return Buffer.alloc(0);
      throw error;
    });
    let offset = existing.length;
    if (isSealed(existing)) {
      const extent = sealedLogExtent(existing, logFile);
      // A record torn by a crash would hide everything appended after it: cut it off.
      if (extent.completeBytes < existing.length) await truncate(logFile, extent.completeBytes);
      offset = extent.plaintextBytes;
    }
    const [out, times] = await Promise.all([
      appendStream(logFile),
      appendStream(logTimesFile(logFile)),
    ]);
    const log = new LineLog(out, times, redactor, offset, logFile);
    if (cipher !== undefined && (existing.length === 0 || isSealed(existing))) {
      // Not awaited: the data key comes from KMS while the action's process starts, and what
      // it prints meanwhile waits in memory, never on disk, until it can be sealed.
      log.sealWith(cipher.openSegment(logFile));
    }
    return log;
  }

  /** Writes one line of our own (a line ending is added). */
  writeLine(line: string): void {
    this.append(this.redactor.redact(`${line}\n`));
  }

  /** Copies `stream` into the log; resolves when the stream has ended and its last line is out. */
  attach(stream: Readable): Promise<void> {
    const decoder = new StringDecoder('utf8');
    const redacting = this.redactor.stream();
    let pending = '';
    const take = (text: string) => {
      pending += text;
      const end = pending.lastIndexOf('\n');
      if (end >= 0) {
        this.append(pending.slice(0, end + 1));
        pending = pending.slice(end + 1);
      }
      if (pending.length > MAX_PENDING_CHARS) {
        this.append(`${pending}\n`);
        pending = '';
      }
    };
    stream.on('data', (chunk: Buffer) => take(redacting.write(decoder.write(chunk))));
    return new Promise((resolve) => {
      let flushed = false;
      const flush = () => {
        if (flushed) return;
        flushed = true;
        take(redacting.write(decoder.end()) + redacting.end());
        if (pending.length > 0) this.append(`${pending}\n`);
        pending = '';
        resolve();
      };
      stream.once('end', flush);
      stream.once('close', flush);
    });
  }

  /** Flushes and closes the file; fails if the log could not be sealed (nothing was written). */
  async close(): Promise<void> {
    await this.sealing;
    await Promise.all([endStream(this.out), endStream(this.times)]);
    if (this.sealingFailure) {
      throw new Error(
        `the action log ${this.logFile} could not be sealed, so nothing was written to it: ` +
          this.sealingFailure.message,
        { cause: this.sealingFailure },
      );
    }
  }

  private sealWith(opening: Promise<SealedLogSegment>): void {
    this.waiting = [];
    this.sealing = opening.then(
      (segment) => {
        this.segment = segment;
        this.out.write(segment.header);
        for (const piece of this.waiting ?? []) this.out.write(segment.seal(piece));
        this.waiting = undefined;
      },
      (error: unknown) => {
        // Nothing may reach the disk in clear: what waits is dropped, and close() says why.
        this.sealingFailure = error as Error;
        this.waiting = [];
      },
    );
  }

  /** Appends redacted text, noting its time when the clock has moved since the last note. */
  private append(text: string): void {
    if (text.length === 0) return;
    const bytes = Buffer.from(text, 'utf8');
    const nowMs = Math.max(Date.now(), this.lastTimeMs);
    if (nowMs !== this.lastTimeMs) {
      // Before the bytes, so a reader never sees bytes newer than their record says.
      this.times.write(formatLogTimeRecord({ offset: this.offset, timeMs: nowMs }));
      this.lastTimeMs = nowMs;
    }
    this.offset += bytes.length;
    if (this.sealingFailure) return;
    if (this.waiting) this.waiting.push(bytes);
    else this.out.write(this.segment ? this.segment.seal(bytes) : bytes);
  }
}

/** Appends `text` to an action log through a LineLog: redacted, with its time recorded. */
export async function appendToLog(
  logFile: string,
  text: string,
  redactor: Redactor = Redactor.shapesOnly,
  cipher?: ActionLogCipher,
): Promise<void> {
  const log = await LineLog.open(logFile, redactor, cipher);
  try {
    if (text.length > 0) log.writeLine(text.endsWith('\n') ? text.slice(0, -1) : text);
  } finally {
    await log.close();
  }
}

async function appendStream(file: string): Promise<WriteStream> {
  const out = createWriteStream(file, { flags: 'a', mode: 0o600 });
  await new Promise<void>((resolve, reject) => {
    out.once('open', () => resolve());
    out.once('error', reject);
  });
  return out;
}

function endStream(out: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    out.end((error?: Error | null) => (error ? reject(error) : resolve()));
  });
}
