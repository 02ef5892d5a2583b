/** PostgreSQL's SQLSTATE for unique_violation (primary keys included). */
const UNIQUE_VIOLATION = '23505';

/** Whether a pg error is a primary-key or unique-constraint violation. */
export function isPostgresUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === UNIQUE_VIOLATION;
}
