import { describe, expect, it } from 'vitest';
import type { BucketRecord, ObjectLockState } from '../store/object-metadata-store.js';
import { changeRetention, checkDeletable, initialLock, retainUntilFrom } from './object-lock.js';

const NOW = Date.UTC(2026, 10, 22, 12);
const DAY = 86_400_000;
const lock = (
  mode: 'GOVERNANCE' | 'COMPLIANCE' | null,
  untilMs: number | null,
  legalHold = false,
) => ({ retentionMode: mode, retainUntilMs: untilMs, legalHold }) satisfies ObjectLockState;
const denied = {
  code: 'AccessDenied',
  message: 'Access Denied because object protected by object lock.',
};

describe('object lock rules', () => {
  it('COMPLIANCE: extend only, whoever asks and whatever they send', () => {
    const current = lock('COMPLIANCE', NOW + DAY);
    expect(
      changeRetention(current, { mode: 'COMPLIANCE', retainUntilMs: NOW + 2 * DAY }, NOW, false),
    ).toEqual(lock('COMPLIANCE', NOW + 2 * DAY));
    for (const next of [
      { mode: 'COMPLIANCE' as const, retainUntilMs: NOW + DAY - 1 },
      { mode: 'GOVERNANCE' as const, retainUntilMs: NOW + 3 * DAY },
      null,
    ]) {
      expect(() => changeRetention(current, next, NOW, true)).toThrow(
        expect.objectContaining(denied) as Error,
      );
    }
    expect(() => checkDeletable(current, NOW, true)).toThrow(
      expect.objectContaining(denied) as Error,
    );
  });

  it('GOVERNANCE: weakened or deleted only with the bypass; may become COMPLIANCE without it', () => {
    const current = lock('GOVERNANCE', NOW + DAY);
    const shorter = { mode: 'GOVERNANCE' as const, retainUntilMs: NOW + 1000 };
    expect(() => changeRetention(current, shorter, NOW, false)).toThrow(
      expect.objectContaining(denied) as Error,
    );
    expect(changeRetention(current, shorter, NOW, true)).toEqual(lock('GOVERNANCE', NOW + 1000));
    expect(changeRetention(current, null, NOW, true)).toEqual(lock(null, null));
    expect(
      changeRetention(current, { mode: 'COMPLIANCE', retainUntilMs: NOW + DAY }, NOW, false),
    ).toEqual(lock('COMPLIANCE', NOW + DAY));
    expect(() => checkDeletable(current, NOW, false)).toThrow(
      expect.objectContaining(denied) as Error,
    );
    expect(() => checkDeletable(current, NOW, true)).not.toThrow();
  });

  it('an expired retention protects nothing; a legal hold protects until turned off', () => {
    expect(() => checkDeletable(lock('COMPLIANCE', NOW - 1), NOW, false)).not.toThrow();
    expect(changeRetention(lock('COMPLIANCE', NOW - 1), null, NOW, false)).toEqual(
      lock(null, null),
    );
    expect(() => checkDeletable(lock(null, null, true), NOW, true)).toThrow(
      expect.objectContaining(denied) as Error,
    );
  });

  it('refuses a retain-until date that is not in the future', () => {
    expect(() =>
      changeRetention(lock(null, null), { mode: 'GOVERNANCE', retainUntilMs: NOW }, NOW, false),
    ).toThrow(expect.objectContaining({ code: 'InvalidArgument' }) as Error);
  });

  it("a new version takes the writer's retention, else the bucket default (days or calendar years)", () => {
    const bucket: BucketRecord = {
      name: 'b',
      createdMs: 0,
      versioning: 'Enabled',
      objectLockEnabled: true,
      defaultRetention: { mode: 'GOVERNANCE', days: 3 },
    };
    expect(initialLock(bucket, {}, NOW)).toEqual(lock('GOVERNANCE', NOW + 3 * DAY));
    expect(
      initialLock(
        bucket,
        { retention: { mode: 'COMPLIANCE', retainUntilMs: NOW + 5 }, legalHold: true },
        NOW,
      ),
    ).toEqual(lock('COMPLIANCE', NOW + 5, true));
    expect(retainUntilFrom({ mode: 'COMPLIANCE', years: 1 }, Date.UTC(2028, 1, 29))).toBe(
      Date.UTC(2029, 2, 1),
    );
    expect(initialLock({ ...bucket, objectLockEnabled: false }, {}, NOW)).toEqual(lock(null, null));
  });
});
