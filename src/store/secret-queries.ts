/**
 * Queries on the secrets and secret_versions tables, written once with Kysely for both
 * engines. A change to a secret is one transaction that starts with a compare-and-set on the
 * secret's revision, so two writers racing on staging labels cannot both win.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import {
  SecretNameTakenError,
  type SecretRecord,
  type SecretStore,
  type SecretVersionRecord,
} from './secret-store.js';
import type { Database } from './schema.js';

/** Kysely table types of the tables made by secret-migration.ts. */
type SecretTables = {
  secrets: {
    arn: string;
    name: string;
    created_ms: number;
    revision: number;
    deletion_ms: number | null;
    last_accessed_ms: number | null;
    metadata_json: string;
  };
  secret_versions: {
    secret_arn: string;
    version_id: string;
    created_ms: number;
    value_type: 'string' | 'binary';
    key_arn: string;
    encrypted_key: string;
    ciphertext: string;
  };
};

type SecretRow = Selectable<SecretTables['secrets']>;
type VersionRow = Selectable<SecretTables['secret_versions']>;

const secret = (r: SecretRow): SecretRecord => ({
  arn: r.arn,
  name: r.name,
  createdMs: r.created_ms,
  revision: r.revision,
  deletionMs: r.deletion_ms,
  lastAccessedMs: r.last_accessed_ms,
  metadataJson: r.metadata_json,
});

const version = (r: VersionRow): SecretVersionRecord => ({
  secretArn: r.secret_arn,
  versionId: r.version_id,
  createdMs: r.created_ms,
  valueType: r.value_type,
  keyArn: r.key_arn,
  encryptedKey: r.encrypted_key,
  ciphertext: r.ciphertext,
});

const versionRow = (v: SecretVersionRecord): VersionRow => ({
  secret_arn: v.secretArn,
  version_id: v.versionId,
  created_ms: v.createdMs,
  value_type: v.valueType,
  key_arn: v.keyArn,
  encrypted_key: v.encryptedKey,
  ciphertext: v.ciphertext,
});

/** Inserts versions, replacing any with the same id (a re-encryption under another key). */
async function putVersions(
  trx: Transaction<Database & SecretTables>,
  versions: readonly SecretVersionRecord[],
): Promise<void> {
  if (versions.length === 0) return;
  await trx
    .insertInto('secret_versions')
    .values(versions.map(versionRow))
    .onConflict((oc) =>
      oc.columns(['secret_arn', 'version_id']).doUpdateSet((eb) => ({
        key_arn: eb.ref('excluded.key_arn'),
        encrypted_key: eb.ref('excluded.encrypted_key'),
        ciphertext: eb.ref('excluded.ciphertext'),
      })),
    )
    .execute();
}

/** The SecretStore over a database; `isUniqueViolation` comes from the dialect. */
export function createSecretStore(
  database: Kysely<Database>,
  isUniqueViolation: (error: unknown) => boolean,
): SecretStore {
  const db = database.withTables<SecretTables>();
  return {
    async create(s, versions) {
      await db.transaction().execute(async (trx) => {
        try {
          await trx
            .insertInto('secrets')
            .values({
              arn: s.arn,
              name: s.name,
              created_ms: s.createdMs,
              revision: s.revision,
              deletion_ms: s.deletionMs,
              last_accessed_ms: s.lastAccessedMs,
              metadata_json: s.metadataJson,
            })
            .execute();
        } catch (error) {
          if (isUniqueViolation(error)) throw new SecretNameTakenError(s.name);
          throw error;
        }
        await putVersions(trx, versions);
      });
    },

    async getByArn(arn) {
      const row = await db
        .selectFrom('secrets')
        .selectAll()
        .where('arn', '=', arn)
        .executeTakeFirst();
      return row && secret(row);
    },

    async getByName(name) {
      const row = await db
        .selectFrom('secrets')
        .selectAll()
        .where('name', '=', name)
        .executeTakeFirst();
      return row && secret(row);
    },

    async list() {
      const rows = await db.selectFrom('secrets').selectAll().orderBy('name').execute();
      return rows.map(secret);
    },

    async getVersion(secretArn, versionId) {
      const row = await db
        .selectFrom('secret_versions')
        .selectAll()
        .where('secret_arn', '=', secretArn)
        .where('version_id', '=', versionId)
        .executeTakeFirst();
      return row && version(row);
    },

    async listVersions(secretArn) {
      const rows = await db
        .selectFrom('secret_versions')
        .selectAll()
        .where('secret_arn', '=', secretArn)
        .orderBy('created_ms')
        .orderBy('version_id')
        .execute();
      return rows.map(version);
    },

    async update(change) {
      const s = change.secret;
      return db.transaction().execute(async (trx) => {
        const updated = await trx
          .updateTable('secrets')
          .set({
            revision: change.expectedRevision + 1,
            deletion_ms: s.deletionMs,
            metadata_json: s.metadataJson,
          })
          .where('arn', '=', s.arn)
          .where('revision', '=', change.expectedRevision)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) return false;
        await putVersions(trx, change.putVersions ?? []);
        const gone = change.deleteVersionIds ?? [];
        if (gone.length > 0) {
          await trx
            .deleteFrom('secret_versions')
            .where('secret_arn', '=', s.arn)
            .where('version_id', 'in', gone)
            .execute();
        }
        return true;
      });
    },

    async recordAccess(arn, dayMs) {
      await db
        .updateTable('secrets')
        .set({ last_accessed_ms: dayMs })
        .where('arn', '=', arn)
        .execute();
    },

    async delete(arn) {
      return db.transaction().execute(async (trx) => {
        const deleted = await trx.deleteFrom('secrets').where('arn', '=', arn).executeTakeFirst();
        await trx.deleteFrom('secret_versions').where('secret_arn', '=', arn).execute();
        return Number(deleted.numDeletedRows) === 1;
      });
    },
  };
}
