/**
 * Artifact write and read throughput with encryption and digests on, as actions store and read
 * them (ObjectArtifactStore: a versioned object of the pipeline's bucket, sealed under its own
 * KMS data key, SHA-256 recorded and checked), beside a plain file write and read of the same
 * bytes on the same disk in the same run (the floor). Real SQLite state store, real KMS.
 *
 * Run: npm run bench:artifacts   (BENCH_ARTIFACT_ROUNDS, default 5 per size)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ObjectArtifactStore } from '../src/artifacts/object-artifact-store.js';
import { KeyService } from '../src/kms/key-service.js';
import { RootKey } from '../src/kms/root-key.js';
import { buildObjectStore } from '../src/objects/object-store.js';
import { FileEnvelopeStorage } from '../src/objects/file-envelope-storage.js';
import { openStateStore } from '../src/store/open-state-store.js';

const ROUNDS = Number(process.env.BENCH_ARTIFACT_ROUNDS ?? 5);
const SIZES = [1, 100].map((mb) => mb * 1024 * 1024);
const SCOPE = { accountId: '123456789012', region: 'us-east-1' };

interface Row {
  size: string;
  what: string;
  writeMBs: number;
  readMBs: number;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lockstep-bench-artifacts-'));
  const store = await openStateStore({ dataDir: dir });
  try {
    const rootKey = await RootKey.loadOrCreate(path.join(dir, 'keys', 'root.key'), true);
    const kms = new KeyService(store.kms, rootKey, SCOPE);
    const objects = buildObjectStore(
      store.objects,
      new FileEnvelopeStorage(path.join(dir, 'objects')),
      kms,
    );
    const artifacts = new ObjectArtifactStore(objects.buckets, objects.objects, {
      retention: null,
    });
    const rows: Row[] = [];
    for (const size of SIZES) {
      // Random bytes: incompressible, like a built zip; the same bytes for both paths.
      const zip = randomBytes(size);
      rows.push(await measureFiles(dir, zip), await measureArtifacts(artifacts, zip));
    }
    process.stdout.write(renderTable(rows));
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The floor: writeFile (synced, as artifacts are) then readFile of the same bytes. */
async function measureFiles(dir: string, zip: Buffer): Promise<Row> {
  const writes: number[] = [];
  const reads: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const file = path.join(dir, `plain-${round}.zip`);
    let start = performance.now();
    await writeFile(file, zip, { flush: true });
    writes.push(performance.now() - start);
    start = performance.now();
    await readFile(file);
    reads.push(performance.now() - start);
    await rm(file);
  }
  return row(zip.length, 'plain file write/read (floor)', writes, reads);
}

/** Lockstep: putZip (seal, digest, versioned object row) then readZip (open, both digests). */
async function measureArtifacts(artifacts: ObjectArtifactStore, zip: Buffer): Promise<Row> {
  const writes: number[] = [];
  const reads: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const key = {
      bucketName: 'bench-artifacts',
      pipelineName: 'bench',
      executionId: randomUUID(),
      artifactName: 'BuildOutput',
    };
    let start = performance.now();
    const stored = await artifacts.putZip(key, zip);
    writes.push(performance.now() - start);
    start = performance.now();
    const back = await artifacts.readZip(stored);
    reads.push(performance.now() - start);
    if (!back.equals(zip)) throw new Error('the artifact read back differs from what was written');
  }
  return row(zip.length, 'Lockstep artifact (KMS envelope + SHA-256)', writes, reads);
}

/** Median throughput of the rounds, in MB/s. */
function row(bytes: number, what: string, writesMs: number[], readsMs: number[]): Row {
  const mbs = (ms: number[]) => bytes / (1024 * 1024) / (median(ms) / 1000);
  return {
    size: `${bytes / (1024 * 1024)} MB`,
    what,
    writeMBs: mbs(writesMs),
    readMBs: mbs(readsMs),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function renderTable(rows: Row[]): string {
  const lines = [
    '| size | what | write MB/s | read MB/s |',
    '| ---- | ---- | ---------: | --------: |',
    ...rows.map(
      (r) => `| ${r.size} | ${r.what} | ${r.writeMBs.toFixed(0)} | ${r.readMBs.toFixed(0)} |`,
    ),
  ];
  return `${lines.join('\n')}\n(median of ${ROUNDS} rounds each)\n`;
}

await main();
