/**
 * The IAM tables (users, groups, roles, managed policies and their versions, inline and
 * attached policies), written once for both engines: only the column types that differ are
 * parameters. Names that list in order use the engine's byte-order text type.
 */
import type { Kysely, Migration, RawBuilder } from 'kysely';

type ColumnType = 'text' | 'integer' | 'bigint' | RawBuilder<unknown>;

interface IamColumnTypes {
  /** Text that sorts byte-wise (COLLATE "C" on PostgreSQL, plain text on SQLite). */
  name: ColumnType;
  /** Epoch milliseconds. */
  ms: ColumnType;
  /** Appended to every CREATE TABLE (STRICT on SQLite). */
  tableSuffix?: RawBuilder<unknown>;
}

/** The IAM migration for an engine's column types. */
export function iamMigration(types: IamColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const table = (name: string) => {
        const builder = db.schema.createTable(name);
        return types.tableSuffix ? builder.modifyEnd(types.tableSuffix) : builder;
      };
      await table('iam_users')
        .addColumn('user_name', types.name, (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('arn', 'text', (c) => c.notNull().unique())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('permissions_boundary_arn', 'text')
        .addColumn('created_ms', types.ms, (c) => c.notNull())
        .execute();
      await table('iam_groups')
        .addColumn('group_name', types.name, (c) => c.primaryKey())
        .addColumn('group_id', 'text', (c) => c.notNull())
        .addColumn('arn', 'text', (c) => c.notNull().unique())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('created_ms', types.ms, (c) => c.notNull())
        .execute();
      await table('iam_group_members')
        .addColumn('group_name', types.name, (c) => c.notNull())
        .addColumn('user_name', types.name, (c) => c.notNull())
        .addPrimaryKeyConstraint('iam_group_members_pk', ['group_name', 'user_name'])
        .execute();
      await table('iam_roles')
        .addColumn('role_name', types.name, (c) => c.primaryKey())
        .addColumn('role_id', 'text', (c) => c.notNull())
        .addColumn('arn', 'text', (c) => c.notNull().unique())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('assume_role_policy', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('max_session_seconds', 'integer', (c) => c.notNull())
        .addColumn('permissions_boundary_arn', 'text')
        .addColumn('created_ms', types.ms, (c) => c.notNull())
        .execute();
      await table('iam_policies')
        .addColumn('arn', types.name, (c) => c.primaryKey())
        .addColumn('policy_name', 'text', (c) => c.notNull())
        .addColumn('policy_id', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('default_version_id', 'text', (c) => c.notNull())
        .addColumn('created_ms', types.ms, (c) => c.notNull())
        .addColumn('updated_ms', types.ms, (c) => c.notNull())
        .execute();
      await table('iam_policy_versions')
        .addColumn('policy_arn', types.name, (c) => c.notNull())
        .addColumn('version_id', 'text', (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('created_ms', types.ms, (c) => c.notNull())
        .addPrimaryKeyConstraint('iam_policy_versions_pk', ['policy_arn', 'version_id'])
        .execute();
      // principal_type is 'user', 'group' or 'role'.
      await table('iam_inline_policies')
        .addColumn('principal_type', 'text', (c) => c.notNull())
        .addColumn('principal_name', types.name, (c) => c.notNull())
        .addColumn('policy_name', types.name, (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('iam_inline_policies_pk', [
          'principal_type',
          'principal_name',
          'policy_name',
        ])
        .execute();
      await table('iam_attached_policies')
        .addColumn('principal_type', 'text', (c) => c.notNull())
        .addColumn('principal_name', types.name, (c) => c.notNull())
        .addColumn('policy_arn', types.name, (c) => c.notNull())
        .addPrimaryKeyConstraint('iam_attached_policies_pk', [
          'principal_type',
          'principal_name',
          'policy_arn',
        ])
        .execute();
    },
  };
}
