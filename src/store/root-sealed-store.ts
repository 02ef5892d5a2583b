/**
 * Every value the root key seals, across the tables that hold one: access-key secrets, KMS key
 * material versions, virtual MFA seeds and STS session secrets. Everything else that is secret
 * (secret versions, object bytes) is sealed under KMS key material, so re-sealing these four
 * kinds under a new root key re-keys the whole installation (src/kms/root-key-rotation.ts).
 */

/** One root-sealed value and the identifiers its seal context is made of. */
export type RootSealedValue =
  | { kind: 'accessKeySecret'; accessKeyId: string; sealed: string }
  | { kind: 'kmsKeyMaterial'; keyId: string; version: number; sealed: string }
  | { kind: 'mfaSeed'; serialNumber: string; sealed: string }
  | { kind: 'stsSessionSecret'; accessKeyId: string; sealed: string };

export type RootSealedKind = RootSealedValue['kind'];

/** How many values of each kind an operation touched. */
export type RootSealedCounts = Record<RootSealedKind, number>;

/** The kinds in the order they are read, written and reported. */
export const ROOT_SEALED_KINDS: readonly RootSealedKind[] = [
  'accessKeySecret',
  'kmsKeyMaterial',
  'mfaSeed',
  'stsSessionSecret',
];

/** Zero of every kind. */
export function noRootSealedValues(): RootSealedCounts {
  return { accessKeySecret: 0, kmsKeyMaterial: 0, mfaSeed: 0, stsSessionSecret: 0 };
}

/** The table and row a value lives in, as an operator would look it up: `access_keys row AKIA…`. */
export function rootSealedLocation(value: RootSealedValue): string {
  switch (value.kind) {
    case 'accessKeySecret':
      return `access_keys row ${value.accessKeyId}`;
    case 'kmsKeyMaterial':
      return `kms_key_materials row ${value.keyId} version ${value.version}`;
    case 'mfaSeed':
      return `iam_mfa_devices row ${value.serialNumber}`;
    case 'stsSessionSecret':
      return `sts_sessions row ${value.accessKeyId}`;
  }
}

/** Another process has the database open: a server that must be stopped first. */
export class DatabaseInUseError extends Error {}

/** The root-sealed values of one database, for checking and re-sealing them all. */
export interface RootSealedStore {
  /**
   * Takes the database for this process until the store closes, or refuses with
   * DatabaseInUseError while another process has it open (SQLite: an exclusive lock that also
   * keeps a server from starting; PostgreSQL: no other session connected to the database).
   */
  claimExclusiveUse(): Promise<void>;
  /** Any one sealed value (enough to tell which root key seals the database), if there is one. */
  firstValue(): Promise<RootSealedValue | undefined>;
  /** Every sealed value, kind by kind. */
  allValues(): Promise<RootSealedValue[]>;
  /**
   * Replaces every sealed value by `reseal(value)` in one transaction, after claimExclusiveUse.
   * If `reseal` throws for any value, nothing is changed and the error is passed on.
   */
  resealAll(reseal: (value: RootSealedValue) => string): Promise<RootSealedCounts>;
}
