import { copyFile, mkdir, mkdtemp, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestKeyService } from '../../test/support/key-service.js';
import { appendToLog, LineLog } from '../sandbox/line-log.js';
import { ActionLogCipher, isSealed } from './sealed-log.js';

let logsDir: string;
let cipher: ActionLogCipher;
let closeKeys: () => Promise<void>;

beforeAll(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'lockstep-sealed-log-'));
  const keys = await openTestKeyService(dir);
  closeKeys = () => keys.close();
  logsDir = path.join(dir, 'logs');
  await mkdir(path.join(logsDir, 'web', 'exec-1'), { recursive: true });
  cipher = new ActionLogCipher(keys.kms, logsDir);
});
afterAll(() => closeKeys());

const logOf = (name: string) => path.join(logsDir, 'web', 'exec-1', `${name}.log`);

describe('sealed action logs', () => {
  it('keeps no line in clear, and reads back every segment appended', async () => {
    const file = logOf('two-segments');
    await appendToLog(file, 'Cloning acme/app (internal-host-7f3a)', undefined, cipher);
    await appendToLog(file, 'second open, second data key', undefined, cipher);
    const stored = await readFile(file);
    expect(isSealed(stored)).toBe(true);
    expect(stored.includes('internal-host-7f3a')).toBe(false);
    expect(stored.includes('second data key')).toBe(false);
    expect((await readFile(`${file}.times`, 'utf8')).split('\n')[1]).toMatch(/^38 \d{13}$/);
    expect((await cipher.read(file)).toString()).toBe(
      'Cloning acme/app (internal-host-7f3a)\nsecond open, second data key\n',
    );
  });

  it('does not open a log copied to another action execution', async () => {
    await appendToLog(logOf('original'), 'secret-ish output', undefined, cipher);
    await copyFile(logOf('original'), logOf('elsewhere'));
    await expect(cipher.read(logOf('elsewhere'))).rejects.toThrow(
      /action log .*elsewhere\.log cannot be read: its data key did not open/,
    );
  });

  it('refuses a log with one byte changed', async () => {
    const file = logOf('tampered');
    await appendToLog(file, 'line one', undefined, cipher);
    const stored = await readFile(file);
    stored[stored.length - 20] = stored[stored.length - 20]! ^ 0x01;
    await writeFile(file, stored);
    await expect(cipher.read(file)).rejects.toThrow(/a record failed authentication/);
  });

  it('leaves out a record torn by a crash, and cuts it off before the next append', async () => {
    const file = logOf('torn');
    await appendToLog(file, 'whole line', undefined, cipher);
    const whole = (await stat(file)).size;
    await appendToLog(file, 'torn line', undefined, cipher);
    await truncate(file, (await stat(file)).size - 5);
    expect((await cipher.read(file)).toString()).toBe('whole line\n');
    await appendToLog(file, 'after the crash', undefined, cipher);
    expect((await cipher.read(file)).toString()).toBe('whole line\nafter the crash\n');
    expect((await stat(file)).size).toBeGreaterThan(whole);
  });

  it('reads and continues in clear a log written before logs were sealed', async () => {
    const file = logOf('legacy');
    await writeFile(file, 'old line\n');
    await appendToLog(file, 'new line', undefined, cipher);
    expect(await readFile(file, 'utf8')).toBe('old line\nnew line\n');
    expect((await cipher.read(file)).toString()).toBe('old line\nnew line\n');
  });

  it('writes nothing, and says so at close, when no data key can be had', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lockstep-sealed-log-down-'));
    const keys = await openTestKeyService(dir);
    await keys.close(); // KMS's store is gone: GenerateDataKey fails
    const unavailable = new ActionLogCipher(keys.kms, path.join(dir, 'logs'));
    const file = path.join(dir, 'logs', 'web', 'exec-1', 'unsealed.log');
    const log = await LineLog.open(file, undefined, unavailable);
    log.writeLine('printed while the key was on its way');
    await expect(log.close()).rejects.toThrow(
      /the action log .*unsealed\.log could not be sealed, so nothing was written to it/,
    );
    expect((await readFile(file)).length).toBe(0);
  });

  it('reads a missing log as empty', async () => {
    expect((await cipher.read(logOf('never-written'))).length).toBe(0);
  });
});
