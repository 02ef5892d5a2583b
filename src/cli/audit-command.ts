/**
 * `lockstep audit verify`: opens the state store directly (it only reads the trail) and
 * proves the audit trail complete and unchanged against its signed checkpoints, or names the
 * first record that is not. Prints JSON; exits 0 when the trail verifies, 1 when it does not.
 * With `--endpoint-url` it reads the trail through the server's GetAuditTrail instead and
 * checks it the same way, against the key and checkpoint remembered from earlier runs.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { Command } from 'commander';
import { AUDIT_PUBLIC_KEY_FILE, readAuditPublicKey } from '../audit/audit-signing-key.js';
import { defaultSeenStateFile } from '../audit/audit-seen-state.js';
import { auditKeyId } from '../audit/checkpoint.js';
import { RemoteTrailSource } from '../audit/remote-trail-source.js';
import { verifyRemoteTrail } from '../audit/verify-remote-trail.js';
import { verifyTrail } from '../audit/verify-trail.js';
import { openStateStore } from '../store/open-state-store.js';
import { lockstepClient } from './lockstep-client.js';

type Print = (text: string) => void;

interface VerifyFlags {
  dataDir?: string;
  databaseUrl?: string;
  publicKey: string[];
  endpointUrl?: string;
  region?: string;
  profile?: string;
  stateFile?: string;
}

/** Adds the `audit` command group to the program. */
export function addAuditCommand(
  program: Command,
  setExitCode: (code: number) => void,
  print: Print = (text) => process.stdout.write(text),
): void {
  program
    .command('audit')
    .description('the tamper-evident audit trail')
    .command('verify')
    .description('recompute the hash chain and Merkle checkpoints of the trail')
    .option(
      '--data-dir <dir>',
      'data directory [env LOCKSTEP_DATA_DIR] (default ./.lockstep); with --endpoint-url, ' +
        "sign with the administrator's key in DIR/credentials",
    )
    .option('--database-url <url>', 'PostgreSQL URL instead of SQLite [env LOCKSTEP_DATABASE_URL]')
    // Only the flag, not LOCKSTEP_ENDPOINT_URL, switches to the API: a client environment
    // must not silently change what a local verify reads.
    .option('--endpoint-url <url>', "read the trail through this server's API instead")
    .option('--region <region>', 'with --endpoint-url: region [env AWS_REGION] (default us-east-1)')
    .option('--profile <name>', 'with --endpoint-url: profile from the shared AWS credentials file')
    .option(
      '--state-file <file>',
      'with --endpoint-url: where the pinned keys and the largest checkpoint seen are kept ' +
        '(default ~/.lockstep/audit-seen.json)',
    )
    .option(
      '--public-key <file>',
      'also trust checkpoints signed by this Ed25519 key (SPKI PEM); repeatable',
      (file: string, files: string[]) => [...files, file],
      [],
    )
    .action(async (flags: VerifyFlags) => {
      setExitCode(await verify(flags, print));
    });
}

async function verify(flags: VerifyFlags, print: Print): Promise<number> {
  if (flags.endpointUrl !== undefined) return verifyRemote(flags, flags.endpointUrl, print);
  for (const [flag, value] of [
    ['--state-file', flags.stateFile],
    ['--region', flags.region],
    ['--profile', flags.profile],
  ] as const) {
    if (value !== undefined) throw new Error(`${flag} needs --endpoint-url`);
  }
  const dataDir = path.resolve(flags.dataDir ?? process.env.LOCKSTEP_DATA_DIR ?? '.lockstep');
  const databaseUrl = flags.databaseUrl ?? process.env.LOCKSTEP_DATABASE_URL;
  if (!databaseUrl && !existsSync(path.join(dataDir, 'state.db'))) {
    // Opening would create an empty database, which would then "verify".
    throw new Error(`no state database in ${dataDir}`);
  }
  const keys = await publicKeys(dataDir, flags.publicKey);
  const store = await openStateStore({ dataDir, databaseUrl });
  try {
    const result = await verifyTrail(store, keys);
    const publicKeysOut = keys.map((key) => ({
      keyId: auditKeyId(key),
      publicKey: key.export({ type: 'spki', format: 'pem' }).toString(),
    }));
    print(JSON.stringify({ ...result, publicKeys: publicKeysOut }, null, 2) + '\n');
    return result.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

async function verifyRemote(flags: VerifyFlags, endpointUrl: string, print: Print) {
  if (flags.databaseUrl !== undefined) {
    throw new Error('--database-url reads the store directly; it cannot go with --endpoint-url');
  }
  let origin: string;
  try {
    origin = new URL(endpointUrl).origin;
  } catch {
    throw new Error(`--endpoint-url ${endpointUrl} is not a URL`);
  }
  const report = await verifyRemoteTrail({
    source: new RemoteTrailSource(lockstepClient(flags)),
    endpoint: origin,
    stateFile: path.resolve(flags.stateFile ?? defaultSeenStateFile()),
    extraKeys: await Promise.all(flags.publicKey.map((file) => readAuditPublicKey(file))),
  });
  print(JSON.stringify(report, null, 2) + '\n');
  return report.ok ? 0 : 1;
}

async function publicKeys(dataDir: string, extra: string[]): Promise<KeyObject[]> {
  const own = path.join(dataDir, 'keys', AUDIT_PUBLIC_KEY_FILE);
  const files = existsSync(own) ? [own, ...extra] : extra;
  return Promise.all(files.map((file) => readAuditPublicKey(file)));
}
