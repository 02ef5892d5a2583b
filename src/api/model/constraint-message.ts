/**
 * The constraint half of AWS's validation messages (`... failed to satisfy constraint: <this>`),
 * worded exactly as AWS's JSON services word them.
 */
export const constraintMessage = {
  notNull: 'Member must not be null',
  maxLength: (max: number): string => `Member must have length less than or equal to ${max}`,
  minLength: (min: number): string => `Member must have length greater than or equal to ${min}`,
  maxValue: (max: number): string => `Member must have value less than or equal to ${max}`,
  minValue: (min: number): string => `Member must have value greater than or equal to ${min}`,
  pattern: (source: string): string => `Member must satisfy regular expression pattern: ${source}`,
  enumValues: (values: readonly string[]): string =>
    `Member must satisfy enum value set: [${values.join(', ')}]`,
  mapKeys: (constraints: readonly string[]): string =>
    `Map keys must satisfy constraint: [${constraints.join(', ')}]`,
} as const;
