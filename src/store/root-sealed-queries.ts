/**
 * Queries on the four root-sealed columns, written once with Kysely for both engines; what
 * differs (how to take the database for oneself) comes from the engine's folder.
 */
import type { Kysely, Transaction } from 'kysely';
import {
  claimPostgresExclusiveUse,
  lockPostgresRootSealedTables,
} from './postgres/exclusive-use.js';
import {
  ROOT_SEALED_KINDS,
  noRootSealedValues,
  rootSealedLocation,
  type RootSealedKind,
  type RootSealedStore,
  type RootSealedValue,
} from './root-sealed-store.js';
import type { Database } from './schema.js';
import { claimSqliteExclusiveUse } from './sqlite/exclusive-use.js';

/** The columns used here of the tables made by kms-migration.ts and mfa-migration.ts. */
type SealedTables = {
  kms_key_materials: { key_id: string; version: number; sealed_material: string };
  iam_mfa_devices: { serial_number: string; seed_ciphertext: string };
  sts_sessions: { access_key_id: string; secret_ciphertext: string };
};

type SealedDb = Kysely<Database & SealedTables> | Transaction<Database & SealedTables>;

/** Reads the values of one kind, or only the first `limit` of them. */
async function selectKind(
  db: SealedDb,
  kind: RootSealedKind,
  limit?: number,
): Promise<RootSealedValue[]> {
  const limited = limit !== undefined;
  switch (kind) {
    case 'accessKeySecret':
      return (
        await db
          .selectFrom('access_keys')
          .select(['access_key_id', 'secret_ciphertext'])
          .orderBy('access_key_id')
          .$if(limited, (q) => q.limit(limit ?? 0))
          .execute()
      ).map((r) => ({ kind, accessKeyId: r.access_key_id, sealed: r.secret_ciphertext }));
    case 'kmsKeyMaterial':
      return (
        await db
          .selectFrom('kms_key_materials')
          .select(['key_id', 'version', 'sealed_material'])
          .orderBy('key_id')
          .orderBy('version')
          .$if(limited, (q) => q.limit(limit ?? 0))
          .execute()
      ).map((r) => ({ kind, keyId: r.key_id, version: r.version, sealed: r.sealed_material }));
    case 'mfaSeed':
      return (
        await db
          .selectFrom('iam_mfa_devices')
          .select(['serial_number', 'seed_ciphertext'])
          .orderBy('serial_number')
          .$if(limited, (q) => q.limit(limit ?? 0))
          .execute()
      ).map((r) => ({ kind, serialNumber: r.serial_number, sealed: r.seed_ciphertext }));
    case 'stsSessionSecret':
      return (
        await db
          .selectFrom('sts_sessions')
          .select(['access_key_id', 'secret_ciphertext'])
          .orderBy('access_key_id')
          .$if(limited, (q) => q.limit(limit ?? 0))
          .execute()
      ).map((r) => ({ kind, accessKeyId: r.access_key_id, sealed: r.secret_ciphertext }));
  }
}

/**
 * Writes `sealed` in place of `value`, only while the row still holds `value.sealed`: a row
 * changed since it was read fails the whole rotation instead of being overwritten.
 */
async function updateValue(db: SealedDb, value: RootSealedValue, sealed: string): Promise<boolean> {
  let result;
  switch (value.kind) {
    case 'accessKeySecret':
      result = await db
        .updateTable('access_keys')
        .set({ secret_ciphertext: sealed })
        .where('access_key_id', '=', value.accessKeyId)
        .where('secret_ciphertext', '=', value.sealed)
        .executeTakeFirst();
      break;
    case 'kmsKeyMaterial':
      result = await db
        .updateTable('kms_key_materials')
        .set({ sealed_material: sealed })
        .where('key_id', '=', value.keyId)
        .where('version', '=', value.version)
        .where('sealed_material', '=', value.sealed)
        .executeTakeFirst();
      break;
    case 'mfaSeed':
      result = await db
        .updateTable('iam_mfa_devices')
        .set({ seed_ciphertext: sealed })
        .where('serial_number', '=', value.serialNumber)
        .where('seed_ciphertext', '=', value.sealed)
        .executeTakeFirst();
      break;
    case 'stsSessionSecret':
      result = await db
        .updateTable('sts_sessions')
        .set({ secret_ciphertext: sealed })
        .where('access_key_id', '=', value.accessKeyId)
        .where('secret_ciphertext', '=', value.sealed)
        .executeTakeFirst();
      break;
  }
  return Number(result.numUpdatedRows) === 1;
}

/** The RootSealedStore over a database of the named engine. */
export function createRootSealedStore(
  database: Kysely<Database>,
  engine: 'sqlite' | 'postgres',
): RootSealedStore {
  const db = database.withTables<SealedTables>();
  let claimed = false;
  const allValues = async (from: SealedDb) => {
    const values: RootSealedValue[] = [];
    for (const kind of ROOT_SEALED_KINDS) values.push(...(await selectKind(from, kind)));
    return values;
  };
  return {
    async claimExclusiveUse() {
      await (engine === 'sqlite' ? claimSqliteExclusiveUse : claimPostgresExclusiveUse)(database);
      claimed = true;
    },
    async firstValue() {
      for (const kind of ROOT_SEALED_KINDS) {
        // One row: this runs at every server start, however many sessions are stored.
        const [value] = await selectKind(db, kind, 1);
        if (value) return value;
      }
      return undefined;
    },
    allValues: () => allValues(db),
    async resealAll(reseal) {
      // Without the claim a server could seal a value under the old key after the commit.
      if (!claimed) throw new Error('resealAll needs claimExclusiveUse first');
      return db.transaction().execute(async (trx) => {
        if (engine === 'postgres') await lockPostgresRootSealedTables(trx);
        const counts = noRootSealedValues();
        for (const value of await allValues(trx)) {
          if (!(await updateValue(trx, value, reseal(value)))) {
            throw new Error(`${rootSealedLocation(value)} changed while it was re-sealed`);
          }
          counts[value.kind] += 1;
        }
        return counts;
      });
    },
  };
}
