/**
 * Queries on the KMS tables, written once with Kysely for both engines. Changes that must not
 * race (a rotation, a state change, destroying a key) are conditional UPDATEs or DELETEs that
 * write first, never a read and then a write.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import {
  KmsAliasExistsError,
  type KmsAliasRecord,
  type KmsKeyMaterialRecord,
  type KmsKeyPatch,
  type KmsKeyRecord,
  type KmsKeyState,
  type KmsStore,
} from './kms-store.js';
import type { Database } from './schema.js';

/** Kysely table types of the tables made by kms-migration.ts. */
type KmsTables = {
  kms_keys: {
    key_id: string;
    description: string;
    key_manager: string;
    state: string;
    policy: string;
    created_ms: number;
    deletion_ms: number | null;
    pending_window_days: number | null;
    rotation_period_days: number | null;
    next_rotation_ms: number | null;
    current_version: number;
    on_demand_rotations: number;
  };
  kms_key_materials: {
    key_id: string;
    version: number;
    material_id: string;
    sealed_material: string;
    rotation_type: string | null;
    created_ms: number;
  };
  kms_aliases: { alias_name: string; key_id: string; created_ms: number; updated_ms: number };
};

type KmsDb = Kysely<Database & KmsTables> | Transaction<Database & KmsTables>;
type KeyRow = Selectable<KmsTables['kms_keys']>;
type MaterialRow = Selectable<KmsTables['kms_key_materials']>;
type AliasRow = Selectable<KmsTables['kms_aliases']>;

const keyRecord = (r: KeyRow): KmsKeyRecord => ({
  keyId: r.key_id,
  description: r.description,
  keyManager: r.key_manager as KmsKeyRecord['keyManager'],
  state: r.state as KmsKeyState,
  policy: r.policy,
  createdMs: r.created_ms,
  deletionMs: r.deletion_ms,
  pendingWindowDays: r.pending_window_days,
  rotationPeriodDays: r.rotation_period_days,
  nextRotationMs: r.next_rotation_ms,
  currentVersion: r.current_version,
  onDemandRotations: r.on_demand_rotations,
});

const materialRecord = (r: MaterialRow): KmsKeyMaterialRecord => ({
  keyId: r.key_id,
  version: r.version,
  materialId: r.material_id,
  sealedMaterial: r.sealed_material,
  rotationType: r.rotation_type as KmsKeyMaterialRecord['rotationType'],
  createdMs: r.created_ms,
});

const aliasRecord = (r: AliasRow): KmsAliasRecord => ({
  aliasName: r.alias_name,
  keyId: r.key_id,
  createdMs: r.created_ms,
  updatedMs: r.updated_ms,
});

const materialRow = (m: KmsKeyMaterialRecord): MaterialRow => ({
  key_id: m.keyId,
  version: m.version,
  material_id: m.materialId,
  sealed_material: m.sealedMaterial,
  rotation_type: m.rotationType,
  created_ms: m.createdMs,
});

/** The patch as column values; only the members present are set. */
function patchColumns(patch: KmsKeyPatch): Partial<KeyRow> {
  const columns: Partial<KeyRow> = {};
  if (patch.state !== undefined) columns.state = patch.state;
  if (patch.policy !== undefined) columns.policy = patch.policy;
  if (patch.deletionMs !== undefined) columns.deletion_ms = patch.deletionMs;
  if (patch.pendingWindowDays !== undefined) columns.pending_window_days = patch.pendingWindowDays;
  if (patch.rotationPeriodDays !== undefined) {
    columns.rotation_period_days = patch.rotationPeriodDays;
  }
  if (patch.nextRotationMs !== undefined) columns.next_rotation_ms = patch.nextRotationMs;
  if (patch.onDemandRotations !== undefined) columns.on_demand_rotations = patch.onDemandRotations;
  return columns;
}

async function insertAlias(
  db: KmsDb,
  alias: KmsAliasRecord,
  isUniqueViolation: (error: unknown) => boolean,
): Promise<void> {
  await db
    .insertInto('kms_aliases')
    .values({
      alias_name: alias.aliasName,
      key_id: alias.keyId,
      created_ms: alias.createdMs,
      updated_ms: alias.updatedMs,
    })
    .execute()
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) throw new KmsAliasExistsError(alias.aliasName);
      throw error;
    });
}

/** The KmsStore over a database; `isUniqueViolation` comes from the dialect. */
export function createKmsStore(
  database: Kysely<Database>,
  isUniqueViolation: (error: unknown) => boolean,
): KmsStore {
  const db = database.withTables<KmsTables>();
  return {
    async createKey(key, material, alias) {
      await db.transaction().execute(async (trx) => {
        // The alias first: when two replicas race to create the same managed key, the
        // unique alias decides before anything else is written.
        if (alias) await insertAlias(trx, alias, isUniqueViolation);
        await trx
          .insertInto('kms_keys')
          .values({
            key_id: key.keyId,
            description: key.description,
            key_manager: key.keyManager,
            state: key.state,
            policy: key.policy,
            created_ms: key.createdMs,
            deletion_ms: key.deletionMs,
            pending_window_days: key.pendingWindowDays,
            rotation_period_days: key.rotationPeriodDays,
            next_rotation_ms: key.nextRotationMs,
            current_version: key.currentVersion,
            on_demand_rotations: key.onDemandRotations,
          })
          .execute();
        await trx.insertInto('kms_key_materials').values(materialRow(material)).execute();
      });
    },

    async getKey(keyId) {
      const row = await db
        .selectFrom('kms_keys')
        .selectAll()
        .where('key_id', '=', keyId)
        .executeTakeFirst();
      return row && keyRecord(row);
    },

    async listKeys({ afterKeyId, limit }) {
      let query = db.selectFrom('kms_keys').selectAll().orderBy('key_id').limit(limit);
      if (afterKeyId !== undefined) query = query.where('key_id', '>', afterKeyId);
      return (await query.execute()).map(keyRecord);
    },

    async updateKey(keyId, patch, onlyInStates) {
      let query = db.updateTable('kms_keys').set(patchColumns(patch)).where('key_id', '=', keyId);
      if (onlyInStates) query = query.where('state', 'in', [...onlyInStates]);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async addMaterial(material, patch) {
      return db.transaction().execute(async (trx) => {
        const updated = await trx
          .updateTable('kms_keys')
          .set({ ...patchColumns(patch), current_version: material.version })
          .where('key_id', '=', material.keyId)
          .where('current_version', '=', material.version - 1)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) return false;
        await trx.insertInto('kms_key_materials').values(materialRow(material)).execute();
        return true;
      });
    },

    async getMaterial(keyId, version) {
      const row = await db
        .selectFrom('kms_key_materials')
        .selectAll()
        .where('key_id', '=', keyId)
        .where('version', '=', version)
        .executeTakeFirst();
      return row && materialRecord(row);
    },

    async listMaterials(keyId) {
      const rows = await db
        .selectFrom('kms_key_materials')
        .selectAll()
        .where('key_id', '=', keyId)
        .orderBy('version')
        .execute();
      return rows.map(materialRecord);
    },

    async keysDueForDeletion(nowMs) {
      const rows = await db
        .selectFrom('kms_keys')
        .select('key_id')
        .where('state', '=', 'PendingDeletion')
        .where('deletion_ms', '<=', nowMs)
        .execute();
      return rows.map((r) => r.key_id);
    },

    async keysDueForRotation(nowMs) {
      const rows = await db
        .selectFrom('kms_keys')
        .select('key_id')
        .where('state', '=', 'Enabled')
        .where('next_rotation_ms', '<=', nowMs)
        .execute();
      return rows.map((r) => r.key_id);
    },

    async destroyKey(keyId, nowMs) {
      return db.transaction().execute(async (trx) => {
        const deleted = await trx
          .deleteFrom('kms_keys')
          .where('key_id', '=', keyId)
          .where('state', '=', 'PendingDeletion')
          .where('deletion_ms', '<=', nowMs)
          .executeTakeFirst();
        if (Number(deleted.numDeletedRows) !== 1) return false;
        await trx.deleteFrom('kms_key_materials').where('key_id', '=', keyId).execute();
        await trx.deleteFrom('kms_aliases').where('key_id', '=', keyId).execute();
        return true;
      });
    },

    createAlias: (alias) => insertAlias(db, alias, isUniqueViolation),

    async getAlias(aliasName) {
      const row = await db
        .selectFrom('kms_aliases')
        .selectAll()
        .where('alias_name', '=', aliasName)
        .executeTakeFirst();
      return row && aliasRecord(row);
    },

    async listAliases({ keyId, afterName, limit }) {
      let query = db.selectFrom('kms_aliases').selectAll().orderBy('alias_name').limit(limit);
      if (keyId !== undefined) query = query.where('key_id', '=', keyId);
      if (afterName !== undefined) query = query.where('alias_name', '>', afterName);
      return (await query.execute()).map(aliasRecord);
    },

    async updateAlias(aliasName, keyId, updatedMs) {
      const result = await db
        .updateTable('kms_aliases')
        .set({ key_id: keyId, updated_ms: updatedMs })
        .where('alias_name', '=', aliasName)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async deleteAlias(aliasName) {
      const result = await db
        .deleteFrom('kms_aliases')
        .where('alias_name', '=', aliasName)
        .executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
  };
}
