/**
 * `lockstep keys rotate-root`: replaces the root key, offline. It opens the state store and the
 * key file directly, as `serve` would (same flags and environment), with every server stopped;
 * src/kms/root-key-rotation.ts does the work and says how a crash is recovered from.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import {
  compileServeOptions,
  SERVE_ENVIRONMENT,
  type ServeOptions,
} from '../config/serve-options.js';
import { rotateRootKey, type RootKeyRotation } from '../kms/root-key-rotation.js';
import { openStateStore } from '../store/open-state-store.js';
import type { RootSealedKind } from '../store/root-sealed-store.js';

type Print = (text: string) => void;

interface RotateFlags {
  dataDir?: string;
  databaseUrl?: string;
  rootKeyFile?: string;
  previousKeyOut?: string;
  output?: 'json' | 'text';
}

const HELP = `
Stop every Lockstep server using this database first: the command refuses while another
process has the SQLite file open, or while other sessions are connected to PostgreSQL.

In order, it writes a new key to KEYFILE.next (0600); re-seals every access-key secret, KMS key
material version, MFA seed and STS session secret under it in one transaction; renames
KEYFILE.next over the key file; and overwrites the previous key's file with zeros. If it is
interrupted, run it again (or start the server): whichever key the database is sealed with is
kept, and the rotation is finished or started over.

The previous key is destroyed. Database backups made before the rotation open only with it:
copy the key file to where those backups' key is kept before rotating, or pass
--previous-key-out. Afterwards back up the new key file, and give it to every replica
(--root-key-file) before starting them.`;

/** What each kind is called in the summary, with its table. */
const KIND_NAMES: Record<RootSealedKind, string> = {
  accessKeySecret: 'access-key secrets (access_keys)',
  kmsKeyMaterial: 'KMS key material versions (kms_key_materials)',
  mfaSeed: 'MFA device seeds (iam_mfa_devices)',
  stsSessionSecret: 'STS session secrets (sts_sessions)',
};

/** Adds the `keys` command group to the program. */
export function addKeysCommand(program: Command, print: Print): void {
  program
    .command('keys')
    .description('the root key that seals every stored secret')
    .command('rotate-root')
    .description('re-seal every stored secret under a new root key and destroy the old one')
    .option(
      '--data-dir <dir>',
      'state and keys, as for serve [env LOCKSTEP_DATA_DIR] (default ./.lockstep)',
    )
    .option('--database-url <url>', 'PostgreSQL URL instead of SQLite [env LOCKSTEP_DATABASE_URL]')
    .option(
      '--root-key-file <file>',
      'the key file to rotate [env LOCKSTEP_ROOT_KEY_FILE] (default DIR/keys/root.key)',
    )
    .option(
      '--previous-key-out <file>',
      'also write the previous key to FILE (0600; must not exist) for older backups',
    )
    .addOption(
      new Option('--output <format>', 'output format (default text)').choices(['json', 'text']),
    )
    .addHelpText('after', HELP)
    .action(async (flags: RotateFlags) => {
      const rotation = await rotate(flags);
      const json = { ...rotation, previousKeyFile: rotation.previousKeyFile ?? null };
      print(flags.output === 'json' ? JSON.stringify(json, null, 2) + '\n' : render(rotation));
    });
}

async function rotate(flags: RotateFlags): Promise<RootKeyRotation> {
  const options = compileServeOptions(
    { dataDir: flags.dataDir, databaseUrl: flags.databaseUrl, rootKeyFile: flags.rootKeyFile },
    // Only the variables of the options above: the rest of serve's environment is not ours.
    environmentOf(['dataDir', 'databaseUrl', 'rootKeyFile']),
  );
  if (!options.databaseUrl && !existsSync(path.join(options.dataDir, 'state.db'))) {
    // Opening would create an empty database, which would then "rotate".
    throw new Error(`no state database in ${options.dataDir}`);
  }
  const keyFile = options.rootKeyFile ?? path.join(options.dataDir, 'keys', 'root.key');
  const previousKeyOut = flags.previousKeyOut && path.resolve(flags.previousKeyOut);
  if (previousKeyOut && existsSync(previousKeyOut)) {
    throw new Error(`--previous-key-out ${previousKeyOut} already exists: name a new file`);
  }
  const store = await openStateStore(options);
  try {
    return await rotateRootKey(store, keyFile, previousKeyOut);
  } finally {
    await store.close();
  }
}

function environmentOf(keys: readonly (keyof ServeOptions)[]): NodeJS.ProcessEnv {
  return Object.fromEntries(
    keys.map((key) => [SERVE_ENVIRONMENT[key], process.env[SERVE_ENVIRONMENT[key]]]),
  );
}

function render(r: RootKeyRotation): string {
  const lines = [
    r.finishedInterrupted
      ? `Finished a rotation of the root key in ${r.keyFile} that was interrupted after its ` +
        'commit: the database was already sealed under the new key.'
      : `Rotated the root key in ${r.keyFile}.`,
    `  new key fingerprint       ${r.keyFingerprint}`,
    `  previous key fingerprint  ${r.previousKeyFingerprint}`,
    r.finishedInterrupted ? 'Sealed under the new key:' : 'Re-sealed in one transaction:',
    ...Object.entries(KIND_NAMES).map(
      ([kind, name]) => `  ${String(r.resealed[kind as RootSealedKind]).padStart(6)}  ${name}`,
    ),
    r.previousKeyOverwritten
      ? 'The previous key is destroyed: its file was overwritten with zeros and removed.'
      : 'The previous key file was removed but not overwritten (another link to it remains).',
  ];
  if (r.previousKeyFile !== undefined) {
    lines.push(
      `A copy of the previous key is in ${r.previousKeyFile}: move it to where the backups ` +
        'it opens are kept (apart from them), and delete it when they expire.',
    );
  }
  lines.push(
    `Database backups made before now open only with the previous key (fingerprint ` +
      `${r.previousKeyFingerprint}); keep a copy of it with them, or they cannot be read.`,
    `Back up ${r.keyFile} now, and give it to every replica before starting them.`,
  );
  return lines.join('\n') + '\n';
}
