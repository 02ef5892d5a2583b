import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../secrets/redaction.js';
import { appendToLog, LineLog } from './line-log.js';

const AKIA = 'AKIA' + 'IOSFODNN7EXAMPLE';

async function freshLog(): Promise<string> {
  return path.join(await mkdtemp(path.join(tmpdir(), 'lockstep-line-log-')), 'a.log');
}

describe('LineLog', () => {
  it('redacts a secret split between two reads of the same stream', async () => {
    const file = await freshLog();
    const log = await LineLog.open(file, new Redactor(['split-secret-value']));
    await log.attach(
      Readable.from([Buffer.from('token split-sec'), Buffer.from('ret-value ok\n')]),
    );
    await log.close();
    expect(await readFile(file, 'utf8')).toBe('token *** ok\n');
  });

  it('redacts a credential on the cut of an endless line', async () => {
    const file = await freshLog();
    const log = await LineLog.open(file);
    const long = 'x'.repeat(64 * 1024 - 4);
    await log.attach(
      Readable.from([
        Buffer.from(`${long} ${AKIA.slice(0, 6)}`),
        Buffer.from(`${AKIA.slice(6)} end\n`),
      ]),
    );
    await log.close();
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(AKIA.slice(0, 6));
    expect(text.replace(/\n/g, '')).toBe(`${long} *** end`);
  });

  it('interleaves two streams by whole lines, each redacted, and redacts its own lines', async () => {
    const file = await freshLog();
    const log = await LineLog.open(file);
    const out = new PassThrough();
    const err = new PassThrough();
    const done = Promise.all([log.attach(out), log.attach(err)]);
    out.write('out one ');
    err.write(`err ${AKIA}\n`);
    out.end('continued\n');
    err.end();
    await done;
    log.writeLine(`[Sandbox] key ${AKIA}`);
    await log.close();
    expect(await readFile(file, 'utf8')).toBe('err ***\nout one continued\n[Sandbox] key ***\n');
  });

  it('appendToLog adds redacted text with a line ending, and notes its time', async () => {
    const file = await freshLog();
    await appendToLog(file, `$ git fetch https://x:${'ghp_' + 'a'.repeat(36)}@github.com/o/r\n`);
    await appendToLog(file, 'no newline');
    expect(await readFile(file, 'utf8')).toBe(
      '$ git fetch https://x:***@github.com/o/r\nno newline\n',
    );
    expect(await readFile(`${file}.times`, 'utf8')).toMatch(/^0 \d{13}\n\d+ \d{13}\n$/);
  });
});
