/**
 * One signed JSON 1.1 call over a keep-alive agent, resolving with the whole response. Shared
 * by the load client (its hot loop) and the orchestrator (seeding and capturing the bytes
 * the floor server replays), so both send exactly the same requests.
 */
import http from 'node:http';
import type { SigV4Signer } from './sigv4-signer.js';

export interface Endpoint {
  hostname: string;
  port: number;
}

export interface CapturedResponse {
  statusCode: number;
  /** Header name/value pairs as received, names in the server's case. */
  headers: [string, string][];
  body: Buffer;
}

export interface SignedCall {
  agent: http.Agent;
  endpoint: Endpoint;
  signer: SigV4Signer;
  /** `CodePipeline_20150709.GetPipeline` and the like. */
  target: string;
  body: Buffer;
  timeoutMs: number;
}

/** Signs and sends one call; rejects only on a transport failure or timeout. */
export function sendSigned(call: SignedCall): Promise<CapturedResponse> {
  const { endpoint } = call;
  const host = `${endpoint.hostname}:${endpoint.port}`;
  const headers = call.signer.sign(host, call.target, call.body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        agent: call.agent,
        hostname: endpoint.hostname,
        port: endpoint.port,
        method: 'POST',
        path: '/',
        headers,
        timeout: call.timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            statusCode: response.statusCode ?? 0,
            headers: pairs(response.rawHeaders),
            body: chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks),
          }),
        );
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer in ${call.timeoutMs} ms`)));
    request.on('error', reject);
    request.end(call.body);
  });
}

function pairs(raw: string[]): [string, string][] {
  const result: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) result.push([raw[i] ?? '', raw[i + 1] ?? '']);
  return result;
}
