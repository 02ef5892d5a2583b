/**
 * The private ssh-agent with the real OpenSSH tools: the key reaches the agent (its public half
 * is what the agent lists), the agent and its directory are gone afterwards, and refusals name
 * the reason, never the key. The secret's forms are read as a connection stores them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshKeyError, parseSshKeySecret, withSshAgent } from './ssh-agent.js';

const hasAgent = spawnSync('ssh-agent', ['-h']).error === undefined;

let dir: string;
let privateKey: string;
let publicKey: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lockstep-ssh-agent-test-'));
  if (!hasAgent) return;
  const file = path.join(dir, 'id');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'unit', '-f', file]);
  privateKey = await readFile(file, 'utf8');
  publicKey = (await readFile(`${file}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ');
  await rm(file);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('a connection secret for an ssh endpoint', () => {
  const pem = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----';

  it('is PEM text or {"privateKey"}, given back with Unix line ends and a final newline', () => {
    expect(parseSshKeySecret(`\n${pem.replace(/\n/g, '\r\n')}  `)).toBe(`${pem}\n`);
    const rsa = pem.replace(/OPENSSH/g, 'RSA');
    expect(parseSshKeySecret(JSON.stringify({ privateKey: rsa }))).toBe(`${rsa}\n`);
  });

  it('is refused without being repeated when it is no private key', () => {
    for (const value of ['hunter2-secret', '{"key": "hunter2-secret"}', '{hunter2-secret']) {
      const error = (() => {
        try {
          parseSshKeySecret(value);
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error).toBeInstanceOf(SshKeyError);
      expect(error?.message).not.toContain('hunter2');
    }
  });
});

describe.skipIf(!hasAgent)('the private ssh-agent', () => {
  it('holds the key for the command, then goes with its directory', async () => {
    const seen = await withSshAgent(privateKey, async (agent) => {
      const listed = execFileSync('ssh-add', ['-L'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, SSH_AUTH_SOCK: agent.socket },
      });
      // What is on disk while the agent runs: its socket and the public half, nothing else.
      const entries = await readdir(path.dirname(agent.socket));
      return { agent, listed, entries, publicHalf: await readFile(agent.publicKeyFile, 'utf8') };
    });
    expect(seen.entries.sort()).toEqual(['agent.sock', 'key.pub']);
    expect(seen.listed).toContain(publicKey);
    expect(seen.publicHalf).toContain(publicKey);
    expect(seen.publicHalf).not.toContain('PRIVATE');
    expect(existsSync(path.dirname(seen.agent.socket))).toBe(false);
  });

  it('refuses a broken key and a locked one, saying why and not showing them', async () => {
    const body = privateKey.split('\n')[2] ?? '';
    const broken = `-----BEGIN OPENSSH PRIVATE KEY-----\n${body}\n-----END OPENSSH PRIVATE KEY-----\n`;
    const lockedFile = path.join(dir, 'locked');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret words', '-f', lockedFile]);
    const locked = await readFile(lockedFile, 'utf8');
    const never = () => Promise.reject(new Error('the agent must not be used'));
    const brokenError = await withSshAgent(broken, never).catch((e: Error) => e);
    expect(brokenError).toBeInstanceOf(SshKeyError);
    expect(brokenError.message).toMatch(/^The connection's ssh key was refused by ssh-add/);
    expect(brokenError.message).not.toContain(body);
    await expect(withSshAgent(locked, never)).rejects.toThrow(
      "The connection's ssh key is protected by a passphrase; store a key without one.",
    );
  });

  it('names the missing tool when OpenSSH is not installed', async () => {
    const path_ = process.env.PATH;
    process.env.PATH = dir;
    try {
      await expect(withSshAgent(privateKey, () => Promise.resolve())).rejects.toThrow(
        "'ssh-agent' was not found on the server's PATH; connections with an ssh key need " +
          'OpenSSH (Debian: apt-get install openssh-client).',
      );
    } finally {
      process.env.PATH = path_;
    }
  });
});
