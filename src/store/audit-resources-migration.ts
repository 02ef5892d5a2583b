/**
 * Audit records name their resources (record format version 2, docs/audit-trail.md): each
 * row keeps its hash format version (1 on every older row, which keeps verifying as before)
 * and the resources JSON text that version 2 hashes. LookupEvents finds records by resource
 * name or type through a small child table rather than by searching that JSON: one row per
 * (record, resource), indexed by name and by type with the sequence, so a lookup reads only
 * that name's (or type's) index entries on both engines. Written once for both engines.
 */
import { type Kysely, type Migration, type RawBuilder } from 'kysely';

interface AuditResourceColumnTypes {
  /** Text compared exactly (COLLATE "C" on PostgreSQL, plain text on SQLite). */
  name: 'text' | RawBuilder<unknown>;
  /** The audit_events.sequence type. */
  sequence: 'integer' | 'bigint';
  /** Appended to CREATE TABLE (STRICT on SQLite). */
  tableSuffix?: RawBuilder<unknown>;
}

/** The 0014-audit-resources migration for an engine's column types. */
export function auditResourcesMigration(types: AuditResourceColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('audit_events')
        .addColumn('format_version', 'integer', (col) => col.notNull().defaultTo(1))
        .execute();
      await db.schema.alterTable('audit_events').addColumn('resources_json', 'text').execute();
      let table = db.schema
        .createTable('audit_event_resources')
        .addColumn('sequence', types.sequence, (col) =>
          col.notNull().references('audit_events.sequence'),
        )
        .addColumn('resource_name', types.name, (col) => col.notNull())
        .addColumn('resource_type', types.name, (col) => col.notNull());
      if (types.tableSuffix) table = table.modifyEnd(types.tableSuffix);
      await table.execute();
      await db.schema
        .createIndex('audit_event_resources_by_name')
        .on('audit_event_resources')
        .columns(['resource_name', 'sequence'])
        .execute();
      await db.schema
        .createIndex('audit_event_resources_by_type')
        .on('audit_event_resources')
        .columns(['resource_type', 'sequence'])
        .execute();
    },
  };
}
