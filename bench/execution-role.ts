/**
 * The service role the benchmark's pipelines name, created through Lockstep's IAM API (the Query
 * protocol) as a user would: CreatePipeline refuses a role CodePipeline cannot assume, and every
 * action of a pipeline whose role trusts CodePipeline runs with a session of it, so this is
 * the orchestration a real pipeline pays for.
 */
import http from 'node:http';
import type { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SigningCredentials } from './sigv4-signer.js';

/** The role the pipelines name (execution-pipelines.ts). */
export const BENCH_ROLE_NAME = 'lockstep-bench';

const TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'codepipeline.amazonaws.com' },
      Action: 'sts:AssumeRole',
    },
  ],
});

/** The role's ARN in `accountId`. */
export function benchRoleArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/${BENCH_ROLE_NAME}`;
}

/**
 * Creates the benchmark's role on the server at `endpointUrl`; throws on any refusal. Signed
 * with the AWS SDK's signer and the hash `client` (a CodePipeline client) signs with.
 */
export async function createBenchRole(
  client: CodePipelineClient,
  endpointUrl: string,
  region: string,
  credentials: SigningCredentials,
): Promise<void> {
  const endpoint = new URL(endpointUrl);
  const body = new URLSearchParams({
    Action: 'CreateRole',
    Version: '2010-05-08',
    RoleName: BENCH_ROLE_NAME,
    AssumeRolePolicyDocument: TRUST_POLICY,
  }).toString();
  const signer = new SignatureV4({
    service: 'iam',
    region,
    credentials,
    sha256: client.config.sha256,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    port: Number(endpoint.port),
    path: '/',
    query: {},
    headers: {
      host: endpoint.host,
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    },
    body,
  });
  const { status, text } = await post(endpoint, signed.headers, body);
  if (status !== 200) throw new Error(`CreateRole ${BENCH_ROLE_NAME} failed (${status}): ${text}`);
}

function post(endpoint: URL, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const request = http.request(
      { hostname: endpoint.hostname, port: endpoint.port, method: 'POST', path: '/', headers },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
