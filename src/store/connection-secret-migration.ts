/**
 * A connection may name the Secrets Manager secret holding the credentials its host wants (an
 * https token): the column keeps the secret's ARN, never its value. Written once for both
 * engines; the column is plain text on both.
 */
import type { Kysely, Migration } from 'kysely';

export const connectionSecretMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('connections').addColumn('credentials_secret_arn', 'text').execute();
  },
};
