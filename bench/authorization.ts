/**
 * Authorization cost per request: the server's own authorization hook (src/iam/authorize.ts),
 * on a real SQLite state store, for an IAM user whose policy has 20 statements, beside the
 * bootstrap administrator (who is never evaluated) as the floor. Each call loads the user's
 * policies from the store and evaluates them, exactly as a signed request does after SigV4.
 *
 * Run: npm run build && node dist/bench/authorization.js   (BENCH_ITERATIONS, default 20000)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createAuthorizer, type AuthorizationRequest } from '../src/iam/authorize.js';
import type { Principal } from '../src/iam/principal.js';
import { PrincipalPolicyLoader } from '../src/iam/principal-policies.js';
import { openStateStore } from '../src/store/open-state-store.js';
import { percentile } from './latency-percentile.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 20_000);
const ACCOUNT = '123456789012';

/** Twenty statements of the kinds people write: actions, resources, a few conditions. */
function twentyStatements(): string {
  const statements = Array.from({ length: 20 }, (_, i) => ({
    Sid: `S${i}`,
    Effect: i === 19 ? 'Deny' : 'Allow',
    Action:
      i % 2 === 0
        ? [`codepipeline:Get*`, `codepipeline:List*`]
        : [`codepipeline:StartPipelineExecution`],
    Resource: `arn:aws:codepipeline:us-east-1:${ACCOUNT}:team-${i}-*`,
    ...(i % 5 === 0
      ? { Condition: { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '127.0.0.0/8'] } } }
      : {}),
  }));
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

async function measure(call: () => Promise<unknown>): Promise<Float64Array> {
  for (let i = 0; i < 500; i++) await call();
  const samples = new Float64Array(ITERATIONS);
  for (let i = 0; i < ITERATIONS; i++) {
    const start = process.hrtime.bigint();
    await call();
    samples[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  return samples.sort();
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lockstep-bench-authz-'));
  const store = await openStateStore({ dataDir: dir });
  try {
    const arn = `arn:aws:iam::${ACCOUNT}:user/dev`;
    await store.iam.createUser({
      userName: 'dev',
      userId: 'AIDABENCH',
      arn,
      path: '/',
      permissionsBoundaryArn: null,
      createdMs: 0,
    });
    await store.iam.putInlinePolicy({
      principalType: 'user',
      principalName: 'dev',
      policyName: 'twenty',
      document: twentyStatements(),
    });
    const authorize = createAuthorizer(new PrincipalPolicyLoader(store));
    const base: Principal = {
      arn,
      accountId: ACCOUNT,
      userName: 'dev',
      accessKeyId: 'AKIABENCH',
      isBootstrapAdmin: false,
    };
    const request = (principal: Principal): AuthorizationRequest => ({
      principal,
      action: 'codepipeline:GetPipeline',
      resourceArn: `arn:aws:codepipeline:us-east-1:${ACCOUNT}:team-4-web`,
      sourceIp: '127.0.0.1',
      secureTransport: false,
    });
    const rows = [
      [
        'bootstrap administrator (floor: no evaluation)',
        await measure(() => authorize(request({ ...base, isBootstrapAdmin: true }))),
      ],
      [
        'IAM user, one 20-statement policy (load + evaluate)',
        await measure(() => authorize(request(base))),
      ],
    ] as const;
    console.log(`authorization hook, ${ITERATIONS} calls each, SQLite, node ${process.version}`);
    console.log('| principal | p50 µs | p99 µs |');
    console.log('| --- | --: | --: |');
    for (const [name, samples] of rows) {
      console.log(
        `| ${name} | ${percentile(samples, 50).toFixed(1)} | ${percentile(samples, 99).toFixed(1)} |`,
      );
    }
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
