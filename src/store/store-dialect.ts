import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

/**
 * What differs between the engines under KyselyStateStore: the few statements Kysely cannot
 * express once for both, each implemented in the engine's own folder (sqlite/, postgres/).
 */
export interface StoreDialect {
  readonly name: 'sqlite' | 'postgres';
  /** Applies the engine's pending migrations, safely against other processes doing the same. */
  migrate(db: Kysely<Database>): Promise<void>;
  /** Whether a driver error is a primary-key or unique-constraint violation. */
  isUniqueViolation(error: unknown): boolean;
  /** Runs first in the audit append transaction so that sequence order is commit order. */
  lockAuditAppend(trx: Transaction<Database>): Promise<void>;
  /** Runs `section` holding a lock named `name` across every process on this database. */
  withLock<T>(name: string, section: () => Promise<T>): Promise<T>;
  /** Releases what the dialect holds beside the Kysely instance. */
  close(): Promise<void>;
}
