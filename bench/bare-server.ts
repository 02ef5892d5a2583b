/**
 * The floor: a bare node:http server on loopback that answers each X-Amz-Target with the exact
 * status, headers and body the real Lockstep server returned for it, captured in the same run.
 * It checks no signature and touches no database, so its rows show what the client, the
 * loopback and Node's HTTP stack cost on their own. Forked by api-throughput.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReplayedResponse {
  statusCode: number;
  headers: [string, string][];
  bodyBase64: string;
}

export interface BareServerStart {
  kind: 'start';
  /** Keyed by X-Amz-Target. */
  responses: Record<string, ReplayedResponse>;
}

export interface BareServerListening {
  kind: 'listening';
  port: number;
}

// Node writes these itself for each response (a fresh Date, keep-alive framing), as Fastify
// did for the captured one, so replaying them would send stale or duplicate values.
const PER_RESPONSE_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);
// Fastify's default, so idle keep-alive connections live as long on both servers.
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

/** Starts the replaying server on 127.0.0.1 and an ephemeral port. */
export function startBareServer(start: BareServerStart): Promise<http.Server> {
  const responses = new Map(
    Object.entries(start.responses).map(([target, response]) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of response.headers) {
        if (!PER_RESPONSE_HEADERS.has(name.toLowerCase())) headers[name] = value;
      }
      const body = Buffer.from(response.bodyBase64, 'base64');
      return [target, { statusCode: response.statusCode, headers, body }] as const;
    }),
  );
  const server = http.createServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS }, (req, res) => {
    const target = req.headers['x-amz-target'];
    const response = typeof target === 'string' ? responses.get(target) : undefined;
    // Read the whole body first, as the real server must before it can check the signature.
    req.resume();
    req.on('end', () => {
      if (response === undefined) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('no captured response\n');
        return;
      }
      res.writeHead(response.statusCode, response.headers).end(response.body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

// Entry point when forked: start on the parent's word, and exit with the parent.
if (process.send !== undefined) {
  process.on('disconnect', () => process.exit(0));
  process.once('message', (message: BareServerStart) => {
    startBareServer(message).then(
      (server) => {
        const listening: BareServerListening = {
          kind: 'listening',
          port: (server.address() as AddressInfo).port,
        };
        process.send?.(listening);
      },
      (error: unknown) => {
        process.stderr.write(`bare server: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
}
