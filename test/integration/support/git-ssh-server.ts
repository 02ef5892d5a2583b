/**
 * A git server over ssh for tests: the real OpenSSH `sshd` on loopback ports, with a host key
 * and a client key made for the test, public-key logins for the current user only (no
 * passwords), and `git-upload-pack` from the PATH serving any repository by its absolute path.
 * Tests run as root on CI, so sshd does too; it only lets in the user the test runs as.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { closedPort } from './lockstep-cli.js';

const run = promisify(execFile);
const SSHD = '/usr/sbin/sshd';

/** Why sshd cannot run here, or undefined when it can. */
export function sshUnavailable(): string | undefined {
  if (!existsSync(SSHD)) return `${SSHD} is not installed (apt-get install openssh-server)`;
  for (const tool of ['ssh', 'ssh-keygen']) {
    const found = (process.env.PATH ?? '')
      .split(':')
      .some((dir) => existsSync(path.join(dir, tool)));
    if (!found) return `${tool} is not on the PATH (apt-get install openssh-client)`;
  }
  return undefined;
}

export interface SshKey {
  privateKeyFile: string;
  /** The `ssh-ed25519 AAAA...` line. */
  publicKey: string;
}

export interface GitSshServer {
  /** The user sshd lets in: the one the test runs as. */
  user: string;
  /** Loopback ports sshd listens on, all with the same host key. */
  ports: number[];
  hostKey: SshKey;
  /** The only client key sshd accepts. */
  clientKey: SshKey;
  /** `[127.0.0.1]:PORT KEY`, a known-hosts line; the server's own host key unless told. */
  knownHostsLine(port: number, publicKey?: string): string;
  /** What sshd logged so far. */
  log(): string;
  stop(): Promise<void>;
}

/** Makes an ed25519 key pair with no passphrase at `file`. */
export async function makeSshKey(file: string): Promise<SshKey> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'lockstep-test', '-f', file]);
  const publicKey = (await readFile(`${file}.pub`, 'utf8')).trim().split(' ').slice(0, 2).join(' ');
  return { privateKeyFile: file, publicKey };
}

/** Starts sshd on `portCount` free loopback ports; resolves once it listens on all of them. */
export async function startGitSshServer(dir: string, portCount = 1): Promise<GitSshServer> {
  const user = userInfo().username;
  const hostKey = await makeSshKey(path.join(dir, 'host_ed25519'));
  const clientKey = await makeSshKey(path.join(dir, 'client_ed25519'));
  const authorizedKeys = path.join(dir, 'authorized_keys');
  await writeFile(authorizedKeys, `${clientKey.publicKey}\n`, { mode: 0o600 });
  const ports: number[] = [];
  for (let i = 0; i < portCount; i++) ports.push(await closedPort());
  const config = path.join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      ...ports.map((port) => `ListenAddress 127.0.0.1:${port}`),
      `HostKey ${hostKey.privateKeyFile}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      `AllowUsers ${user}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      // The test's files sit under the world-writable /tmp, which StrictModes refuses.
      'StrictModes no',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  if (process.getuid?.() === 0) {
    // sshd running as root needs its privilege-separation directory (the package's service
    // makes it at boot; a container that never started the service has none).
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    await chmod('/run/sshd', 0o755);
  }
  const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  await listening(child, ports, () => log);
  return {
    user,
    ports,
    hostKey,
    clientKey,
    knownHostsLine: (port, publicKey = hostKey.publicKey) => `[127.0.0.1]:${port} ${publicKey}`,
    log: () => log,
    stop: () => stop(child),
  };
}

function listening(child: ChildProcess, ports: number[], log: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sshd did not listen in 10 s:\n${log()}`));
    }, 10_000);
    const check = () => {
      if (ports.every((port) => log().includes(`Server listening on 127.0.0.1 port ${port}.`))) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited with ${code} before listening:\n${log()}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
