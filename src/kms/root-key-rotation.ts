/**
 * Root key rotation (`lockstep keys rotate-root`): a new root key, every root-sealed value
 * re-sealed under it in one transaction, the key file replaced, the previous key destroyed.
 *
 * Crash safety. K is the key file, N = K.next beside it (same directory, so rename is atomic):
 *   1. write N (the new key) and flush it and the directory      K old, N new, database old
 *   2. re-seal every value in one transaction, commit            K old, N new, database new
 *   3. rename N over K and flush the directory                   K new,        database new
 *   4. overwrite the previous key's now unlinked file with zeros
 * A crash leaves state 1 or 2. They differ only in the key the database is sealed with, which
 * only the database can tell, so whoever finds N (this command run again, or a server starting)
 * tries a sealed value with each key:
 *   - it opens with K: the commit never happened and N sealed nothing. The command deletes N
 *     and starts over; a server leaves N alone (it may belong to a rotation running right now)
 *     and starts with K;
 *   - it opens with N: the commit happened. Step 3 (and 4) is finished and work goes on with N;
 *   - it opens with neither: refused, naming the value, and no file is touched.
 * N is thus deleted only once the database is proven not to need it, and K replaced only by N
 * once the database is proven to need N: neither key is lost while the database needs it. A
 * failed commit is treated the same way: N is deleted only if the database still opens with K.
 */
import { constants } from 'node:fs';
import { access, open, realpath, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { sealContext as accessKeySealContext } from '../iam/access-keys.js';
import { seedContext } from '../iam/mfa/mfa-service.js';
import { sessionSecretContext } from '../iam/sts/session-credentials.js';
import {
  noRootSealedValues,
  rootSealedLocation,
  type RootSealedCounts,
  type RootSealedValue,
} from '../store/root-sealed-store.js';
import type { StateStore } from '../store/state-store.js';
import { sealContext as materialSealContext } from './key-ring.js';
import { RootKey, syncDirectory } from './root-key.js';

/** What a rotation did, for the command's summary. */
export interface RootKeyRotation {
  keyFile: string;
  keyFingerprint: string;
  previousKeyFingerprint: string;
  /** Values re-sealed, per kind (or, when finishing an interrupted run, found sealed). */
  resealed: RootSealedCounts;
  /** True when this run only finished a rotation that a crash had interrupted after commit. */
  finishedInterrupted: boolean;
  /** False when the previous key's file could not be overwritten (another hard link to it). */
  previousKeyOverwritten: boolean;
  /** Where the previous key was written when the operator asked for a copy. */
  previousKeyFile: string | undefined;
}

/** Where a rotation keeps the new key until the database is sealed under it. */
export function pendingKeyFile(keyFile: string): string {
  return `${keyFile}.next`;
}

/**
 * Rotates the root key in `keyFileName` for the database of `store`, which no server may be
 * using (claimed first). With `previousKeyOut`, the previous key is first written there.
 */
export async function rotateRootKey(
  store: StateStore,
  keyFileName: string,
  previousKeyOut?: string,
): Promise<RootKeyRotation> {
  const keyFile = await resolveKeyFile(keyFileName);
  const current = await RootKey.load(keyFile);
  await assertWritableDirectory(path.dirname(keyFile));
  await store.rootSealed.claimExclusiveUse();
  const pendingFile = pendingKeyFile(keyFile);
  const pending = await loadPending(pendingFile);
  const values = await store.rootSealed.allValues();
  const sealingKey = keyOfDatabase(values, current, pending, keyFile);
  if (previousKeyOut !== undefined) await current.writeNewFile(previousKeyOut);
  const summary = {
    keyFile,
    previousKeyFingerprint: current.fingerprint(),
    previousKeyFile: previousKeyOut,
  };
  if (pending !== undefined && sealingKey === pending) {
    return {
      ...summary,
      keyFingerprint: pending.fingerprint(),
      resealed: countByKind(values),
      finishedInterrupted: true,
      previousKeyOverwritten: await replaceKeyFile(keyFile, pending),
    };
  }
  // A pending key the database does not need: left by a crash before a commit.
  if (await exists(pendingFile)) await removeFile(pendingFile);
  const next = RootKey.generate();
  await next.writeNewFile(pendingFile);
  let resealed;
  try {
    resealed = await store.rootSealed.resealAll((value) =>
      next.seal(openValue(current, value, keyFile), contextOf(value)),
    );
  } catch (error) {
    if (await discardUnusedPending(store, current, pendingFile)) throw error;
    throw new Error(
      `${(error as Error).message}; the new key is kept in ${pendingFile}: ` +
        'run the command again to finish or undo the rotation',
      { cause: error },
    );
  }
  return {
    ...summary,
    keyFingerprint: next.fingerprint(),
    resealed,
    finishedInterrupted: false,
    previousKeyOverwritten: await replaceKeyFile(keyFile, next),
  };
}

/**
 * The root key a server starts with: `loaded` (from `keyFileName`) if it opens the database,
 * else the pending key of a rotation interrupted after its commit, whose key file replacement
 * is then finished. Any other key is refused, naming a value it cannot open.
 */
export async function confirmRootKey(
  store: StateStore,
  keyFileName: string,
  loaded: RootKey,
): Promise<RootKey> {
  const sample = await store.rootSealed.firstValue();
  if (sample === undefined || opens(loaded, sample)) return loaded;
  const keyFile = await resolveKeyFile(keyFileName);
  const pending = await loadPending(pendingKeyFile(keyFile));
  if (pending !== undefined && opens(pending, sample)) {
    await replaceKeyFile(keyFile, pending);
    return pending;
  }
  throw new Error(
    `the root key in ${keyFile} (fingerprint ${loaded.fingerprint()}) does not open the ` +
      `database's sealed values (${rootSealedLocation(sample)}): start with the key this ` +
      'database was sealed with; after `lockstep keys rotate-root` only the new key opens it',
  );
}

/**
 * The root key a server starts with when it came from the environment variable `name`: it must
 * open the database. (There is no key file, so no interrupted rotation to finish here.)
 */
export async function confirmEnvironmentRootKey(
  store: StateStore,
  name: string,
  loaded: RootKey,
): Promise<RootKey> {
  const sample = await store.rootSealed.firstValue();
  if (sample === undefined || opens(loaded, sample)) return loaded;
  throw new Error(
    `the root key in environment variable ${name} (fingerprint ${loaded.fingerprint()}) does ` +
      `not open the database's sealed values (${rootSealedLocation(sample)}): give the key ` +
      'this database was sealed with',
  );
}

/** The seal context each kind of value was sealed with, from the module that seals it. */
function contextOf(value: RootSealedValue): string {
  switch (value.kind) {
    case 'accessKeySecret':
      return accessKeySealContext(value.accessKeyId);
    case 'kmsKeyMaterial':
      return materialSealContext(value.keyId, value.version);
    case 'mfaSeed':
      return seedContext(value.serialNumber);
    case 'stsSessionSecret':
      return sessionSecretContext(value.accessKeyId);
  }
}

function opens(key: RootKey, value: RootSealedValue): boolean {
  try {
    key.open(value.sealed, contextOf(value));
    return true;
  } catch {
    return false;
  }
}

function openValue(key: RootKey, value: RootSealedValue, keyFile: string): string {
  try {
    return key.open(value.sealed, contextOf(value));
  } catch (error) {
    throw new Error(unopenable(value, key, keyFile), { cause: error });
  }
}

function unopenable(value: RootSealedValue, key: RootKey, keyFile: string): string {
  return (
    `${rootSealedLocation(value)} does not open with the root key in ${keyFile} ` +
    `(fingerprint ${key.fingerprint()}): it was altered or sealed under another key; ` +
    'nothing was changed'
  );
}

/**
 * Which key seals the whole database: `current`, or `pending` after a commit that a crash kept
 * from its rename. A value neither opens, or a mix of both, is refused by name.
 */
function keyOfDatabase(
  values: readonly RootSealedValue[],
  current: RootKey,
  pending: RootKey | undefined,
  keyFile: string,
): RootKey {
  let underCurrent: RootSealedValue | undefined;
  let underPending: RootSealedValue | undefined;
  for (const value of values) {
    if (opens(current, value)) underCurrent ??= value;
    else if (pending !== undefined && opens(pending, value)) underPending ??= value;
    else throw new Error(unopenable(value, current, keyFile));
  }
  if (underCurrent !== undefined && underPending !== undefined) {
    throw new Error(
      `the database holds values sealed under ${keyFile} (${rootSealedLocation(underCurrent)}) ` +
        `and under ${pendingKeyFile(keyFile)} (${rootSealedLocation(underPending)}): a server ` +
        'wrote during an interrupted rotation; keep both files; nothing was changed',
    );
  }
  return underPending !== undefined && pending !== undefined ? pending : current;
}

/** The pending key, if its file exists and is whole (a crash while writing it leaves less). */
async function loadPending(file: string): Promise<RootKey | undefined> {
  try {
    return await RootKey.load(file);
  } catch {
    return undefined;
  }
}

/** After a failed re-seal: deletes N, and says so, only if the database still opens with K. */
async function discardUnusedPending(
  store: StateStore,
  current: RootKey,
  pendingFile: string,
): Promise<boolean> {
  try {
    const sample = await store.rootSealed.firstValue();
    if (sample !== undefined && !opens(current, sample)) return false;
  } catch {
    // The database cannot say (the connection died during the commit): keep N.
    return false;
  }
  await removeFile(pendingFile);
  return true;
}

/**
 * Renames the pending key over `keyFile` and flushes the directory, then overwrites the
 * previous key's file, which the rename unlinked, with zeros; resolves to whether it could.
 * Best effort: copy-on-write file systems and SSDs may keep old blocks regardless.
 */
async function replaceKeyFile(keyFile: string, next: RootKey): Promise<boolean> {
  const previous = await open(keyFile, 'r+').catch(() => undefined);
  try {
    await renamePending(keyFile, next);
    if (previous === undefined) return false;
    const { nlink, size } = await previous.stat();
    // Another hard link still names the file: overwriting it would destroy someone's copy.
    if (nlink > 0 || size === 0) return false;
    await previous.write(Buffer.alloc(size), 0, size, 0);
    await previous.sync();
    return true;
  } finally {
    await previous?.close();
  }
}

async function renamePending(keyFile: string, next: RootKey): Promise<void> {
  const pendingFile = pendingKeyFile(keyFile);
  try {
    await rename(pendingFile, keyFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    // A server starting meanwhile may have finished the rename itself (see above).
    if ((await RootKey.load(keyFile)).sameAs(next)) return;
    await next.writeNewFile(pendingFile);
    await rename(pendingFile, keyFile);
  }
  await syncDirectory(path.dirname(keyFile));
}

/** The key file with symbolic links resolved, so N sits beside the file that is replaced. */
async function resolveKeyFile(file: string): Promise<string> {
  return realpath(file).catch(() => path.resolve(file));
}

async function assertWritableDirectory(dir: string): Promise<void> {
  try {
    await access(dir, constants.W_OK);
  } catch (error) {
    throw new Error(
      `cannot replace the root key file: its directory ${dir} is not writable ` +
        `(${(error as NodeJS.ErrnoException).code ?? String(error)}); nothing was changed`,
      { cause: error },
    );
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

async function removeFile(file: string): Promise<void> {
  await unlink(file);
  await syncDirectory(path.dirname(file));
}

function countByKind(values: readonly RootSealedValue[]): RootSealedCounts {
  const counts = noRootSealedValues();
  for (const value of values) counts[value.kind] += 1;
  return counts;
}
