import { describe, expect, it } from 'vitest';
import { attachStages, moveStage, stagesOf, versionsToStages } from './version-staging.js';

describe('staging labels', () => {
  it('moves AWSCURRENT to a new version and gives the old one AWSPREVIOUS', () => {
    const first = attachStages({}, 'v1', ['AWSCURRENT']);
    const second = attachStages(first, 'v2', ['AWSCURRENT']);
    const third = attachStages(second, 'v3', ['AWSCURRENT']);
    expect(second).toEqual({ AWSCURRENT: 'v2', AWSPREVIOUS: 'v1' });
    // v1 lost its last label: it is deprecated.
    expect(third).toEqual({ AWSCURRENT: 'v3', AWSPREVIOUS: 'v2' });
    expect(versionsToStages(third)).toEqual({ v3: ['AWSCURRENT'], v2: ['AWSPREVIOUS'] });
  });

  it('leaves AWSCURRENT where it is when a version is only AWSPENDING', () => {
    const stages = attachStages({ AWSCURRENT: 'v1' }, 'v2', ['AWSPENDING']);
    expect(stages).toEqual({ AWSCURRENT: 'v1', AWSPENDING: 'v2' });
    expect(stagesOf(stages, 'v2')).toEqual(['AWSPENDING']);
  });

  it('rolls back by moving AWSCURRENT to the previous version, swapping the two', () => {
    const stages = { AWSCURRENT: 'v2', AWSPREVIOUS: 'v1' };
    expect(moveStage(stages, 'AWSCURRENT', 'v2', 'v1')).toEqual({
      AWSCURRENT: 'v1',
      AWSPREVIOUS: 'v2',
    });
  });

  it('refuses to move a label attached elsewhere without naming where it comes from', () => {
    expect(() => moveStage({ AWSCURRENT: 'v2' }, 'AWSCURRENT', undefined, 'v1')).toThrow(
      /RemoveFromVersionId can't be empty.*attached to version v2/,
    );
    expect(() => moveStage({ AWSCURRENT: 'v2' }, 'AWSCURRENT', 'v1', 'v3')).toThrow(
      'The staging label AWSCURRENT is not attached to version v1.',
    );
  });

  it('removes a label, but never AWSCURRENT without a new home', () => {
    expect(
      moveStage({ AWSCURRENT: 'v2', AWSPENDING: 'v3' }, 'AWSPENDING', 'v3', undefined),
    ).toEqual({ AWSCURRENT: 'v2' });
    expect(() => moveStage({ AWSCURRENT: 'v2' }, 'AWSCURRENT', 'v2', undefined)).toThrow(
      /only move the staging label AWSCURRENT/,
    );
  });
});
