/**
 * Staging labels, as Secrets Manager keeps them: each label is attached to at most one version
 * of a secret; AWSCURRENT marks the value readers get, and when it moves to another version
 * the version that held it gets AWSPREVIOUS (taken from whichever version held that). A version
 * with no label is deprecated. Pure functions over a label → version id map.
 */
import { InvalidParameterException } from './secret-errors.js';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPREVIOUS = 'AWSPREVIOUS';
export const AWSPENDING = 'AWSPENDING';

/** Staging label → the version id it is attached to. */
export type StageMap = Readonly<Record<string, string>>;

/** `labels` attached to `versionId` (each taken from the version that held it). */
export function attachStages(
  stages: StageMap,
  versionId: string,
  labels: readonly string[],
): Record<string, string> {
  const next: Record<string, string> = { ...stages };
  for (const label of new Set(labels)) {
    const holder = stages[label];
    if (label === AWSCURRENT && holder !== undefined && holder !== versionId) {
      next[AWSPREVIOUS] = holder;
    }
    next[label] = versionId;
  }
  return next;
}

/** The labels attached to `versionId`, AWSCURRENT first, then the others by name. */
export function stagesOf(stages: StageMap, versionId: string): string[] {
  return Object.keys(stages)
    .filter((label) => stages[label] === versionId)
    .sort((a, b) => (a === AWSCURRENT ? -1 : b === AWSCURRENT ? 1 : a < b ? -1 : 1));
}

/** Version id → its labels, for every version that has one (DescribeSecret's VersionIdsToStages). */
export function versionsToStages(stages: StageMap): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const versionId of new Set(Object.values(stages))) {
    result[versionId] = stagesOf(stages, versionId);
  }
  return result;
}

/**
 * UpdateSecretVersionStage: moves `label` to `moveTo`, removes it from `removeFrom`, or both.
 * As AWS insists, a label attached elsewhere must be named in RemoveFromVersionId before it
 * moves, and AWSCURRENT can only move, never just come off.
 */
export function moveStage(
  stages: StageMap,
  label: string,
  removeFrom: string | undefined,
  moveTo: string | undefined,
): Record<string, string> {
  const holder = stages[label];
  if (removeFrom !== undefined && holder !== removeFrom) {
    throw new InvalidParameterException(
      `The staging label ${label} is not attached to version ${removeFrom}.`,
    );
  }
  if (moveTo === undefined) {
    if (removeFrom === undefined) {
      throw new InvalidParameterException(
        'You must specify RemoveFromVersionId, MoveToVersionId, or both.',
      );
    }
    if (label === AWSCURRENT) {
      throw new InvalidParameterException(
        'You can only move the staging label AWSCURRENT to another version; ' +
          'specify MoveToVersionId.',
      );
    }
    const next: Record<string, string> = { ...stages };
    delete next[label];
    return next;
  }
  if (holder !== undefined && holder !== moveTo && removeFrom === undefined) {
    throw new InvalidParameterException(
      `The parameter RemoveFromVersionId can't be empty. Staging label ${label} is currently ` +
        `attached to version ${holder}, so you must explicitly reference that version in ` +
        'RemoveFromVersionId.',
    );
  }
  return attachStages(stages, moveTo, [label]);
}
