import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/** A line longer than this is written in pieces, so one endless line cannot exhaust memory. */
const MAX_PENDING_BYTES = 64 * 1024;

/**
 * Appends what a process writes to a log file, whole lines at a time, so that stdout and stderr
 * interleave by line rather than mid-line.
 */
export class LineLog {
  private constructor(private readonly out: WriteStream) {}

  /** Opens `logFile` for appending, creating its directory. */
  static async open(logFile: string): Promise<LineLog> {
    await mkdir(path.dirname(logFile), { recursive: true });
    const out = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
    await new Promise<void>((resolve, reject) => {
      out.once('open', () => resolve());
      out.once('error', reject);
    });
    return new LineLog(out);
  }

  /** Writes one line of our own (a line ending is added). */
  writeLine(line: string): void {
    this.out.write(`${line}\n`);
  }

  /** Copies `stream` into the log; resolves when the stream has ended and its last line is out. */
  attach(stream: Readable): Promise<void> {
    let pending = Buffer.alloc(0);
    stream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      const end = pending.lastIndexOf(0x0a);
      if (end >= 0) {
        this.out.write(pending.subarray(0, end + 1));
        pending = pending.subarray(end + 1);
      }
      if (pending.length > MAX_PENDING_BYTES) {
        this.out.write(Buffer.concat([pending, Buffer.from('\n')]));
        pending = Buffer.alloc(0);
      }
    });
    return new Promise((resolve) => {
      const flush = () => {
        if (pending.length > 0) this.out.write(Buffer.concat([pending, Buffer.from('\n')]));
        pending = Buffer.alloc(0);
        resolve();
      };
      stream.once('end', flush);
      stream.once('close', flush);
    });
  }

  /** Flushes and closes the file. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.out.end((error?: Error | null) => (error ? reject(error) : resolve()));
    });
  }
}
