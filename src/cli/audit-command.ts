/**
 * `lockstep audit verify`: opens the state store directly (it only reads the trail) and
 * proves the audit trail complete and unchanged against its signed checkpoints, or names the
 * first record that is not. Prints JSON; exits 0 when the trail verifies, 1 when it does not.
 * Verifying through a server's API (`--endpoint-url`) is not implemented yet.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { Command } from 'commander';
import { AUDIT_PUBLIC_KEY_FILE, readAuditPublicKey } from '../audit/audit-signing-key.js';
import { auditKeyId } from '../audit/checkpoint.js';
import { verifyTrail } from '../audit/verify-trail.js';
import { openStateStore } from '../store/open-state-store.js';

type Print = (text: string) => void;

interface VerifyFlags {
  dataDir?: string;
  databaseUrl?: string;
  publicKey: string[];
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
    .option('--data-dir <dir>', 'data directory [env LOCKSTEP_DATA_DIR] (default ./.lockstep)')
    .option('--database-url <url>', 'PostgreSQL URL instead of SQLite [env LOCKSTEP_DATABASE_URL]')
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

async function publicKeys(dataDir: string, extra: string[]): Promise<KeyObject[]> {
  const own = path.join(dataDir, 'keys', AUDIT_PUBLIC_KEY_FILE);
  const files = existsSync(own) ? [own, ...extra] : extra;
  return Promise.all(files.map((file) => readAuditPublicKey(file)));
}
