/**
 * Shape checks for a buildspec parsed with YAML's failsafe schema, where every scalar is a
 * string: each check names the dotted path of the offending key, so the message points at the
 * line to fix.
 */
import { CodeBuildConfigurationError } from './codebuild-configuration-error.js';

/** A YAML mapping as a plain object. */
export type Mapping = Record<string, unknown>;

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a mapping';
  return value === '' ? 'empty' : 'a single value';
}

/** Fails the action with `message`, naming no command because none has run. */
export function refuse(message: string): never {
  throw new CodeBuildConfigurationError(message);
}

/** `value` as a mapping; an empty value (`key:` alone) counts as an empty mapping when `emptyOk`. */
export function expectMapping(value: unknown, where: string, emptyOk = false): Mapping {
  if (emptyOk && value === '') return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    refuse(`${where} must be a mapping, but it is ${describe(value)}`);
  }
  return value as Mapping;
}

/** Refuses any key of `map` that is not in `known`, so a misspelt key never silently does nothing. */
export function expectKnownKeys(map: Mapping, known: readonly string[], where: string): void {
  for (const key of Object.keys(map)) {
    if (!known.includes(key)) {
      const path = where === '' ? key : `${where}.${key}`;
      refuse(`Unknown key ${path} in the buildspec; expected one of: ${known.join(', ')}`);
    }
  }
}

/** `value` as a single string. */
export function expectString(value: unknown, where: string): string {
  if (typeof value !== 'string')
    refuse(`${where} must be a single value, but it is ${describe(value)}`);
  return value;
}

/** `value` as a list of strings; an absent key gives an empty list. */
export function expectStringList(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    refuse(`${where} must be a list of strings, but it is ${describe(value)}`);
  return value.map((item: unknown, index) => {
    if (typeof item === 'string') return item;
    // The usual cause: an unquoted command containing ': ' reads as a mapping in YAML.
    const hint =
      item !== null && typeof item === 'object' && !Array.isArray(item)
        ? ' (quote a command that contains ": ")'
        : '';
    return refuse(
      `${where} must be a list of strings, but item ${index + 1} is ${describe(item)}${hint}`,
    );
  });
}

/** CodeBuild's `yes`/`no` flags; `true`/`false` are taken too. */
export function expectYesNo(value: unknown, where: string): boolean {
  if (value === undefined) return false;
  const text = expectString(value, where).toLowerCase();
  if (text === 'yes' || text === 'true') return true;
  if (text === 'no' || text === 'false') return false;
  return refuse(`${where} must be yes or no, not '${text}'`);
}
