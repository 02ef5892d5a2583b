/**
 * A private ssh-agent holding one connection's key for one git command: the key goes from
 * memory to `ssh-add -` on its stdin, so it is never in a file (the product promises no
 * plaintext secret on disk) nor on a command line. Only the agent's socket and the key's
 * public half live in a 0700 temporary directory, removed with the agent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** How long the agent may take to listen, and ssh-add to load the key. */
const AGENT_TIMEOUT_MS = 10_000;

/** A running agent; ssh reaches it at `socket` and offers the key `publicKeyFile` names. */
export interface SshAgent {
  socket: string;
  /** The key's public half: as ssh's IdentityFile, it selects that agent key and no other. */
  publicKeyFile: string;
}

/** A connection's ssh key that could not be used; the message never holds the key. */
export class SshKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SshKeyError';
  }
}

/** Runs `use` with an agent holding `privateKey`; the agent and its directory go afterwards. */
export async function withSshAgent<T>(
  privateKey: string,
  use: (agent: SshAgent) => Promise<T>,
): Promise<T> {
  // mkdtemp makes the directory 0700: nobody else may talk to the agent through its socket.
  const dir = await mkdtemp(path.join(tmpdir(), 'lockstep-ssh-agent-'));
  const socket = path.join(dir, 'agent.sock');
  let agent: ChildProcess | undefined;
  try {
    agent = await startAgent(socket);
    await addKey(socket, privateKey);
    const publicKeyFile = path.join(dir, 'key.pub');
    await writeFile(publicKeyFile, await tool('ssh-add', ['-L'], socket), { mode: 0o600 });
    return await use({ socket, publicKeyFile });
  } finally {
    if (agent) await stopAgent(agent);
    await rm(dir, { recursive: true, force: true });
  }
}

/** `ssh-agent -D` in the foreground; it prints its environment once the socket listens. */
function startAgent(socket: string): Promise<ChildProcess> {
  const child = spawn('ssh-agent', ['-D', '-a', socket], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new Error('ssh-agent did not start in time for the connection key.')),
      AGENT_TIMEOUT_MS,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes('SSH_AUTH_SOCK=')) return;
      clearTimeout(timer);
      resolve(child);
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error: NodeJS.ErrnoException) =>
      fail(error.code === 'ENOENT' ? missing('ssh-agent') : error),
    );
    child.once('exit', (code) =>
      fail(new Error(`ssh-agent exited with ${code} before listening: ${output.trim()}`)),
    );
  });
}

function stopAgent(agent: ChildProcess): Promise<void> {
  if (agent.exitCode !== null || agent.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    agent.once('exit', () => resolve());
    // SIGTERM: the agent removes its socket and forgets the key.
    agent.kill('SIGTERM');
  });
}

/** `ssh-add -` with the key on stdin; a refusal is explained without the key's text. */
async function addKey(socket: string, privateKey: string): Promise<void> {
  const { code, stderr } = await runTool('ssh-add', ['-q', '-'], socket, privateKey);
  if (code === 0) return;
  // ssh-add asks for a passphrase it cannot get (no terminal, no askpass) and gives up.
  if (/passphrase/i.test(stderr)) {
    throw new SshKeyError(
      "The connection's ssh key is protected by a passphrase; store a key without one.",
    );
  }
  // Its own words name the key "(stdin)", never its text; anything else is not repeated.
  const reason = /Error loading key "\(stdin\)": ([\w ,.-]+)/.exec(stderr)?.[1];
  throw new SshKeyError(
    `The connection's ssh key was refused by ssh-add${reason ? ` (${reason.trim()})` : ''}; ` +
      'it must be an unencrypted OpenSSH or PEM private key.',
  );
}

/** Runs an ssh tool against the agent; its stdout, or an Error with its stderr. */
async function tool(command: string, args: string[], socket: string): Promise<string> {
  const { code, stdout, stderr } = await runTool(command, args, socket);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${stderr.trim()}`);
  return stdout;
}

function runTool(
  command: string,
  args: string[],
  socket: string,
  stdin?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, {
    // No DISPLAY and SSH_ASKPASS_REQUIRE=never: a passphrase is never asked for anywhere.
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      SSH_AUTH_SOCK: socket,
      SSH_ASKPASS_REQUIRE: 'never',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: AGENT_TIMEOUT_MS,
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? missing(command) : error),
    );
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    // ssh-add may exit before reading it all (a passphrase prompt): EPIPE is its refusal.
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin ?? '');
  });
}

function missing(command: string): Error {
  return new Error(
    `'${command}' was not found on the server's PATH; connections with an ssh key need ` +
      'OpenSSH (Debian: apt-get install openssh-client).',
  );
}

/**
 * The private key in a connection's secret: PEM text (OpenSSH, RSA or EC) or
 * `{"privateKey": "..."}`, with line ends and the final newline ssh-add wants.
 */
export function parseSshKeySecret(value: string): string {
  let key = value;
  if (value.trimStart().startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new SshKeyError("The connection's credentials secret is not valid JSON.");
    }
    const { privateKey } = (parsed ?? {}) as Record<string, unknown>;
    if (typeof privateKey !== 'string') {
      throw new SshKeyError(
        'The connection\'s credentials secret for an ssh endpoint must be a private key or {"privateKey": "..."}.',
      );
    }
    key = privateKey;
  }
  key = key.replace(/\r\n/g, '\n').trim();
  if (
    !/^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----\n[\s\S]+\n-----END [A-Z0-9 ]*PRIVATE KEY-----$/.test(
      key,
    )
  ) {
    throw new SshKeyError(
      "The connection's credentials secret for an ssh endpoint does not hold a PEM private key " +
        '(OpenSSH, RSA or EC, from its BEGIN line to its END line).',
    );
  }
  return `${key}\n`;
}
