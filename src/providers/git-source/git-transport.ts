/**
 * How git reaches https and ssh hosts: the operator's serve options (a CA bundle, a
 * credentials file, an ssh key, a known hosts file) turned into the environment of one git
 * command, plus, for a connection that names a credentials secret, that connection's https
 * credentials, or for an ssh endpoint its private key (git-source-provider.ts reads them as the
 * action's role).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { shellQuote } from '../commands/commands-script.js';
import type { SshAgent } from './ssh-agent.js';

/** The operator's git settings; every member optional, every path absolute. */
export interface GitTransport {
  /** PEM bundle of the CAs https endpoints are verified against, instead of the system's. */
  caFile?: string;
  /** `https://user:token@host[:port]` lines (git-credentials format), read and never written. */
  credentialsFile?: string;
  /** The private key ssh endpoints are offered, and the only one. */
  sshKeyFile?: string;
  /** The host keys ssh endpoints must present; the only ones trusted when given. */
  knownHostsFile?: string;
  /**
   * One connection's https credentials (from its secret), sent only to URLs under `url`;
   * never part of the operator's settings.
   */
  basicAuth?: { url: string; username: string; password: string };
  /**
   * One connection's ssh private key (from its secret), offered instead of the operator's;
   * it stays in memory and reaches ssh only through `sshAgent` (runGit starts one).
   */
  sshPrivateKey?: string;
  /** The private agent holding `sshPrivateKey` for the command under way. */
  sshAgent?: SshAgent;
}

/** The members that are one connection's, never the operator's serve options. */
type PerConnection = 'basicAuth' | 'sshPrivateKey' | 'sshAgent';

/** The environment that applies `transport` to a git command. */
export function transportEnv(transport: GitTransport): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { GIT_SSH_COMMAND: sshCommand(transport) };
  // Verification stays on: the CA file replaces the bundle git trusts, it never skips the check.
  if (transport.caFile !== undefined) env.GIT_SSL_CAINFO = transport.caFile;
  if (transport.credentialsFile !== undefined) {
    // `git credential-store` would erase a refused entry from the operator's file (git calls
    // its helpers with `erase` then); this helper answers `get` and ignores the rest.
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = 'credential.helper';
    env.GIT_CONFIG_VALUE_0 =
      '!f() { [ "$1" = get ] || exit 0; exec git credential-store --file=' +
      `${shellQuote(transport.credentialsFile)} get; }; f`;
  }
  if (transport.basicAuth !== undefined) {
    // Through the environment, never the command line (which `ps` shows to every user), and
    // scoped to the connection's endpoint so a redirect elsewhere is not handed the token.
    const { url, username, password } = transport.basicAuth;
    const index = Number(env.GIT_CONFIG_COUNT ?? '0');
    const token = Buffer.from(`${username}:${password}`).toString('base64');
    env.GIT_CONFIG_COUNT = String(index + 1);
    env[`GIT_CONFIG_KEY_${index}`] = `http.${url}.extraHeader`;
    env[`GIT_CONFIG_VALUE_${index}`] = `Authorization: Basic ${token}`;
  }
  return env;
}

/**
 * The ssh command git runs (through a shell, hence the quoting). Host keys are always
 * checked strictly: trusting a key on first use is not verifying it. BatchMode keeps ssh
 * from waiting for a passphrase or password nobody will type.
 */
export function sshCommand(transport: GitTransport): string {
  const options = [
    'BatchMode=yes',
    'StrictHostKeyChecking=yes',
    // A host that accepts the connection and then says nothing ends here, not at the timeout.
    'ConnectTimeout=30',
    'ServerAliveInterval=15',
    'ServerAliveCountMax=4',
  ];
  // ssh splits these values on spaces and expands '%' and '~' in them: checkGitTransport
  // refuses such paths, and the double quotes keep the rest whole.
  if (transport.knownHostsFile !== undefined) {
    options.push(
      `UserKnownHostsFile="${transport.knownHostsFile}"`,
      'GlobalKnownHostsFile=/dev/null',
    );
  }
  if (transport.sshPrivateKey !== undefined) {
    // Never the operator's key in its place: without its agent the connection's key is lost.
    if (transport.sshAgent === undefined) throw new Error("The connection's ssh key has no agent");
    // The public half as IdentityFile picks that agent key, and IdentitiesOnly the only one.
    const { socket, publicKeyFile } = transport.sshAgent;
    options.push(
      `IdentityAgent="${socket}"`,
      `IdentityFile="${publicKeyFile}"`,
      'IdentitiesOnly=yes',
    );
  } else if (transport.sshKeyFile !== undefined) {
    options.push(`IdentityFile="${transport.sshKeyFile}"`, 'IdentitiesOnly=yes');
  }
  return ['ssh', ...options.flatMap((option) => ['-o', shellQuote(option)])].join(' ');
}

/** The serve option that sets each member, for messages. */
export const GIT_TRANSPORT_OPTIONS: Record<Exclude<keyof GitTransport, PerConnection>, string> = {
  caFile: '--git-ca-file',
  credentialsFile: '--git-credentials-file',
  sshKeyFile: '--git-ssh-key-file',
  knownHostsFile: '--git-known-hosts-file',
};

/** Refuses, with the option's name, a file git or ssh could not use; run once at start. */
export function checkGitTransport(transport: GitTransport): void {
  const { basicAuth: _auth, sshPrivateKey: _key, sshAgent: _agent, ...files } = transport;
  for (const [key, file] of Object.entries(files) as [keyof typeof files, string][]) {
    const option = GIT_TRANSPORT_OPTIONS[key];
    try {
      accessSync(file, constants.R_OK);
    } catch (error) {
      throw new Error(
        `${option} ${file} cannot be read (${(error as NodeJS.ErrnoException).code})`,
        { cause: error },
      );
    }
    if ((key === 'sshKeyFile' || key === 'knownHostsFile') && /[\s"'\\%~]/.test(file)) {
      throw new Error(
        `${option} ${file}: ssh would misread a path with spaces, quotes, '%' or '~'`,
      );
    }
    // ssh ignores a private key others may read, and then fails as if refused by the host.
    const mode = statSync(file).mode & 0o777;
    if (key === 'sshKeyFile' && (mode & 0o077) !== 0) {
      throw new Error(
        `${option} ${file} is readable by others (mode ${mode.toString(8)}); ssh refuses such a key: chmod 600 it`,
      );
    }
  }
}
