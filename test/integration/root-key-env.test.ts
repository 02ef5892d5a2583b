/**
 * `--root-key-env NAME`: the root key comes from an environment variable the operator names
 * (as container platforms hand secrets over) instead of DIR/keys/root.key. A real server keeps
 * no key file, seals with that key (a KMS ciphertext made with the AWS CLI v1 decrypts after a
 * restart with the same variable), and refuses to start with another key, with none, or with
 * both a key file and a variable. Needs `npm run build`.
 */
import { randomBytes } from 'node:crypto';
import { access, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { awsAnyServiceCli, everyOnPath, versionOf } from '../e2e/support/run-client.js';
import {
  serveUntilExit,
  startLockstep,
  type LockstepProcess,
} from '../support/lockstep-process.js';

const CLI_V1 = everyOnPath('aws').find((bin) => versionOf(bin)?.startsWith('aws-cli/1.'));
const VARIABLE = 'TEST_LOCKSTEP_ROOT_KEY';
const KEY = randomBytes(32).toString('base64');

let dataDir: string;
let running: LockstepProcess | undefined;

afterAll(async () => {
  await running?.stop();
});

/** `lockstep serve` on this test's data directory, which must refuse to start. */
const serveRefused = (args: string[], env: NodeJS.ProcessEnv) => serveUntilExit(dataDir, args, env);

describe.skipIf(!CLI_V1)('a root key from an environment variable', () => {
  const start = () =>
    startLockstep({
      dataDir,
      extraArgs: ['--root-key-env', VARIABLE],
      env: { [VARIABLE]: KEY },
      pipelineRoles: [],
    });
  const kms = (server: LockstepProcess) =>
    awsAnyServiceCli(CLI_V1!, server, path.join(server.dataDir, 'credentials'));

  it('seals with it, keeps no key file, and opens the same data after a restart', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'lockstep-root-key-env-'));
    running = await start();
    await expect(access(path.join(dataDir, 'keys', 'root.key'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
    const { KeyMetadata } = await kms(running).json<{ KeyMetadata: { KeyId: string } }>(
      'kms',
      'create-key',
    );
    const plaintextFile = path.join(dataDir, 'plaintext.txt');
    await writeFile(plaintextFile, 'sealed under the environment key');
    const { CiphertextBlob } = await kms(running).json<{ CiphertextBlob: string }>(
      'kms',
      'encrypt',
      '--key-id',
      KeyMetadata.KeyId,
      '--plaintext',
      `fileb://${plaintextFile}`,
    );
    await running.stop();

    running = await start();
    const blobFile = path.join(dataDir, 'blob.bin');
    await writeFile(blobFile, Buffer.from(CiphertextBlob, 'base64'));
    const { Plaintext } = await kms(running).json<{ Plaintext: string }>(
      'kms',
      'decrypt',
      '--ciphertext-blob',
      `fileb://${blobFile}`,
    );
    expect(Buffer.from(Plaintext, 'base64').toString()).toBe('sealed under the environment key');
    await running.stop();
    running = undefined;
  });

  it('refuses to start with another key, naming the variable', async () => {
    const refused = await serveRefused(['--root-key-env', VARIABLE], {
      [VARIABLE]: randomBytes(32).toString('base64'),
    });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain(
      `the root key in environment variable ${VARIABLE} (fingerprint `,
    );
    expect(refused.stderr).toContain("does not open the database's sealed values");
  });

  it('refuses an unset or malformed variable, and a key file given as well', async () => {
    const unset = await serveRefused(['--root-key-env', VARIABLE], { [VARIABLE]: '' });
    expect(unset.status).not.toBe(0);
    expect(unset.stderr).toContain(`the root key environment variable ${VARIABLE} is not set`);
    const malformed = await serveRefused(['--root-key-env', VARIABLE], { [VARIABLE]: 'c2hvcnQ=' });
    expect(malformed.status).not.toBe(0);
    expect(malformed.stderr).toContain(
      `root key environment variable ${VARIABLE} does not hold 32 base64-encoded bytes`,
    );
    const both = await serveRefused(
      ['--root-key-env', VARIABLE, '--root-key-file', path.join(dataDir, 'other.key')],
      { [VARIABLE]: KEY },
    );
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('give --root-key-file or --root-key-env, not both');
  });
});
