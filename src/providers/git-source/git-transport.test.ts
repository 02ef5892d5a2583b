/**
 * The operator's git settings as the real tools read them: the credential helper through the
 * real `git credential`, the ssh command through `ssh -G` (which prints the options ssh would
 * use), and the start-up refusals on real files.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkGitTransport, sshCommand, transportEnv } from './git-transport.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lockstep-git-transport-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const hasSsh = spawnSync('ssh', ['-V']).error === undefined;

/** `git credential ACTION` with the transport's environment and nothing else. */
function gitCredential(action: string, input: string, env: NodeJS.ProcessEnv): string {
  return execFileSync('git', ['credential', action], {
    input,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      ...env,
    },
  });
}

describe('the credentials file', () => {
  it('answers for its host and port only, and survives a rejection', async () => {
    const file = path.join(dir, 'git-credentials');
    const lines = 'https://deploy:s3cret@git.example.com:8443\n';
    await writeFile(file, lines, { mode: 0o600 });
    const env = { ...transportEnv({ credentialsFile: file }), GIT_TERMINAL_PROMPT: '0' };
    const ask = 'protocol=https\nhost=git.example.com:8443\n\n';
    expect(gitCredential('fill', ask, env)).toContain('username=deploy\npassword=s3cret\n');
    // Another port is another host: git finds nothing and may not prompt.
    const other = spawnSync('git', ['credential', 'fill'], {
      input: 'protocol=https\nhost=git.example.com\n\n',
      env: { PATH: process.env.PATH, GIT_CONFIG_GLOBAL: '/dev/null', ...env },
    });
    expect(other.status).not.toBe(0);
    // What git does after a host refused them: `git credential-store` would drop the line.
    gitCredential('reject', `${ask.trim()}\nusername=deploy\npassword=s3cret\n\n`, env);
    expect(await readFile(file, 'utf8')).toBe(lines);
  });
});

describe.skipIf(!hasSsh)('the ssh command', () => {
  it('checks host keys strictly, with the operator key and known hosts only', () => {
    const command = sshCommand({ sshKeyFile: '/etc/lockstep/id_ed25519', knownHostsFile: '/k/h' });
    const config = execFileSync('sh', ['-c', `${command} -G git.example.com`], {
      encoding: 'utf8',
      // ssh -G still says it would not allocate a terminal; that is not what is tested.
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    for (const line of [
      'batchmode yes',
      'stricthostkeychecking true',
      'identitiesonly yes',
      'identityfile /etc/lockstep/id_ed25519',
      'userknownhostsfile /k/h',
      'globalknownhostsfile /dev/null',
      'connecttimeout 30',
    ]) {
      expect(config.split('\n')).toContain(line);
    }
  });

  it('keeps the server user’s own ssh setup when the operator gives none', () => {
    const config = execFileSync('sh', ['-c', `${sshCommand({})} -G git.example.com`], {
      encoding: 'utf8',
      // ssh -G still says it would not allocate a terminal; that is not what is tested.
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(config).toContain('stricthostkeychecking true');
    expect(config).not.toContain('globalknownhostsfile /dev/null');
  });

  it("offers a connection's agent key alone, never the operator key, and never without its agent", () => {
    const operator = { sshKeyFile: '/etc/lockstep/id_ed25519', knownHostsFile: '/k/h' };
    const sshAgent = { socket: '/tmp/a/agent.sock', publicKeyFile: '/tmp/a/key.pub' };
    const command = sshCommand({ ...operator, sshPrivateKey: 'KEY', sshAgent });
    const config = execFileSync('sh', ['-c', `${command} -G git.example.com`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).split('\n');
    for (const line of [
      'identityagent /tmp/a/agent.sock',
      'identityfile /tmp/a/key.pub',
      'identitiesonly yes',
      'userknownhostsfile /k/h',
      'stricthostkeychecking true',
    ]) {
      expect(config).toContain(line);
    }
    expect(config.filter((line) => line.startsWith('identityfile '))).toHaveLength(1);
    expect(command).not.toContain('KEY');
    expect(() => sshCommand({ ...operator, sshPrivateKey: 'KEY' })).toThrow(/no agent/);
  });
});

describe('checkGitTransport', () => {
  it('accepts readable files and a key only its owner can read', async () => {
    const key = path.join(dir, 'id_ok');
    await writeFile(key, 'key', { mode: 0o600 });
    expect(() => checkGitTransport({ sshKeyFile: key, caFile: key })).not.toThrow();
  });

  it('refuses a missing file, a key others can read, and a path ssh would misread', async () => {
    expect(() => checkGitTransport({ caFile: path.join(dir, 'none.pem') })).toThrow(
      `--git-ca-file ${path.join(dir, 'none.pem')} cannot be read (ENOENT)`,
    );
    const open = path.join(dir, 'id_open');
    await writeFile(open, 'key');
    await chmod(open, 0o644);
    expect(() => checkGitTransport({ sshKeyFile: open })).toThrow(
      `--git-ssh-key-file ${open} is readable by others (mode 644); ssh refuses such a key`,
    );
    const spaced = path.join(dir, 'known hosts');
    await writeFile(spaced, '');
    expect(() => checkGitTransport({ knownHostsFile: spaced })).toThrow(
      'ssh would misread a path with spaces',
    );
  });
});
