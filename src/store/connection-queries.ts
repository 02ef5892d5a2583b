/**
 * Queries on the connections table (and the tags kept for a connection's ARN), written once
 * with Kysely for both engines.
 */
import type { Kysely } from 'kysely';
import type { ConnectionRow, Database } from './schema.js';
import {
  ConnectionNameTakenError,
  type ConnectionRecord,
  type ConnectionStore,
} from './connection-store.js';

/** The ConnectionStore over a database; `isUniqueViolation` comes from the dialect. */
export function createConnectionStore(
  db: Kysely<Database>,
  isUniqueViolation: (error: unknown) => boolean,
): ConnectionStore {
  return {
    async create(record, tags) {
      // The unique index on name decides a race between two creates, never a read first.
      await db.transaction().execute(async (trx) => {
        try {
          await trx.insertInto('connections').values(toConnectionRow(record)).execute();
        } catch (error) {
          if (isUniqueViolation(error)) throw new ConnectionNameTakenError(record.name);
          throw error;
        }
        if (tags.length === 0) return;
        await trx
          .insertInto('tags')
          .values(tags.map((tag) => ({ resource_arn: record.arn, key: tag.key, value: tag.value })))
          .execute();
      });
    },

    async get(arn) {
      const row = await db
        .selectFrom('connections')
        .selectAll()
        .where('arn', '=', arn)
        .executeTakeFirst();
      return row === undefined ? undefined : toConnectionRecord(row);
    },

    async list({ afterName, limit, providerType }) {
      let query = db.selectFrom('connections').selectAll().orderBy('name').limit(limit);
      if (afterName !== undefined) query = query.where('name', '>', afterName);
      if (providerType !== undefined) query = query.where('provider_type', '=', providerType);
      return (await query.execute()).map(toConnectionRecord);
    },

    async delete(arn) {
      return db.transaction().execute(async (trx) => {
        const deleted = await trx
          .deleteFrom('connections')
          .where('arn', '=', arn)
          .returning('arn')
          .executeTakeFirst();
        if (deleted === undefined) return false;
        await trx.deleteFrom('tags').where('resource_arn', '=', arn).execute();
        return true;
      });
    },
  };
}

function toConnectionRow(record: ConnectionRecord): ConnectionRow {
  return {
    arn: record.arn,
    name: record.name,
    provider_type: record.providerType,
    endpoint: record.endpoint,
    status: record.status,
    created_ms: record.createdMs,
    credentials_secret_arn: record.credentialsSecretArn ?? null,
  };
}

function toConnectionRecord(row: ConnectionRow): ConnectionRecord {
  return {
    arn: row.arn,
    name: row.name,
    providerType: row.provider_type,
    endpoint: row.endpoint,
    status: row.status,
    createdMs: row.created_ms,
    ...(row.credentials_secret_arn ? { credentialsSecretArn: row.credentials_secret_arn } : {}),
  };
}
