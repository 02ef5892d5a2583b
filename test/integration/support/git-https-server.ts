/**
 * A git server over HTTPS for tests: Node's `https` in front of the real `git http-backend`
 * (CGI), serving every repository under a directory, optionally behind HTTP Basic auth. It
 * records each request so that a test can show the traffic really went through it.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHttpsServer {
  /** `https://127.0.0.1:PORT`: a connection endpoint. */
  url: string;
  port: number;
  /** `METHOD /path?query WHO` of every request: WHO is the user let in, `anonymous` or `refused`. */
  requests: string[];
  close(): Promise<void>;
}

export interface GitHttpsServerOptions {
  /** The directory whose repositories are served (GIT_PROJECT_ROOT). */
  projectRoot: string;
  keyFile: string;
  certFile: string;
  /** When set, every request must carry these credentials, or gets 401. */
  basicAuth?: { username: string; password: string };
}

/** Starts the server on a free loopback port. */
export async function startGitHttpsServer(options: GitHttpsServerOptions): Promise<GitHttpsServer> {
  const requests: string[] = [];
  const server: Server = createServer(
    { key: await readFile(options.keyFile), cert: await readFile(options.certFile) },
    (req, res) => {
      const { basicAuth } = options;
      const letIn =
        basicAuth === undefined || basicUser(req) === `${basicAuth.username}:${basicAuth.password}`;
      const who = basicAuth === undefined ? 'anonymous' : letIn ? basicAuth.username : 'refused';
      requests.push(`${req.method} ${req.url} ${who}`);
      if (!letIn) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end();
        return;
      }
      httpBackend(req, res, options.projectRoot, basicAuth?.username);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function basicUser(req: IncomingMessage): string | undefined {
  const match = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
  return match?.[1] === undefined ? undefined : Buffer.from(match[1], 'base64').toString('utf8');
}

/** One CGI request to `git http-backend`: the request body in, headers and body out. */
function httpBackend(
  req: IncomingMessage,
  res: ServerResponse,
  projectRoot: string,
  remoteUser: string | undefined,
): void {
  const url = new URL(req.url ?? '/', 'https://127.0.0.1');
  const header = (name: string) => {
    const value = req.headers[name];
    return typeof value === 'string' ? value : '';
  };
  const child = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: header('content-type'),
      ...(header('content-length') ? { CONTENT_LENGTH: header('content-length') } : {}),
      HTTP_CONTENT_ENCODING: header('content-encoding'),
      HTTP_GIT_PROTOCOL: header('git-protocol'),
      REMOTE_ADDR: req.socket.remoteAddress ?? '',
      ...(remoteUser ? { REMOTE_USER: remoteUser } : {}),
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  req.pipe(child.stdin);
  let head = Buffer.alloc(0);
  let sentHead = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (sentHead) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    sentHead = true;
    writeCgiHead(res, head.subarray(0, end).toString('latin1'));
    res.write(head.subarray(end + 4));
  });
  child.once('close', (code) => {
    if (!sentHead) res.writeHead(502).end(`git http-backend exited ${code}`);
    else res.end();
  });
}

/** Turns CGI response headers (`Status: 404 Not Found`, ...) into the HTTP response's. */
function writeCgiHead(res: ServerResponse, head: string): void {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
    else headers[name] = value;
  }
  res.writeHead(status, headers);
}
