import { describe, expect, it } from 'vitest';
import {
  disableRotation,
  enableRotation,
  isRotationOverdue,
  recordRotation,
  rotationIntervalMs,
} from './rotation-schedule.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

describe('rotation schedule', () => {
  it('reads AutomaticallyAfterDays and rate() expressions, and refuses what it cannot keep', () => {
    expect(rotationIntervalMs({ AutomaticallyAfterDays: 30 })).toBe(30 * DAY);
    expect(rotationIntervalMs({ ScheduleExpression: 'rate(10 days)' })).toBe(10 * DAY);
    expect(rotationIntervalMs({ ScheduleExpression: 'rate(4 hours)' })).toBe(4 * 3_600_000);
    expect(() => rotationIntervalMs({ ScheduleExpression: 'cron(0 16 1,15 * ? *)' })).toThrow(
      /cron\(\) schedules are not supported/,
    );
    expect(() => rotationIntervalMs({ ScheduleExpression: 'rate(1 hours)' })).toThrow(
      /rate\(N hours\) with N from 4 to 23/,
    );
    expect(() =>
      rotationIntervalMs({ AutomaticallyAfterDays: 3, ScheduleExpression: 'rate(3 days)' }),
    ).toThrow(/not both/);
    expect(() => rotationIntervalMs({})).toThrow(/must specify AutomaticallyAfterDays/);
  });

  it('is due at once when asked to rotate immediately, and overdue until a new value', () => {
    const rotation = enableRotation(undefined, { AutomaticallyAfterDays: 30 }, true, T0);
    expect(rotation).toEqual({
      enabled: true,
      rules: { AutomaticallyAfterDays: 30 },
      nextRotationMs: T0,
    });
    expect(isRotationOverdue(rotation, T0)).toBe(true);
    const rotated = recordRotation(rotation, T0 + DAY);
    expect(rotated).toMatchObject({ lastRotatedMs: T0 + DAY, nextRotationMs: T0 + 31 * DAY });
    expect(isRotationOverdue(rotated, T0 + 30 * DAY)).toBe(false);
    expect(isRotationOverdue(rotated, T0 + 31 * DAY)).toBe(true);
  });

  it('counts the period from the last rotation when not rotating immediately', () => {
    const last = { enabled: false, rules: { AutomaticallyAfterDays: 7 }, lastRotatedMs: T0 };
    expect(enableRotation(last, undefined, false, T0 + DAY).nextRotationMs).toBe(T0 + 7 * DAY);
    expect(enableRotation(undefined, { AutomaticallyAfterDays: 7 }, false, T0).nextRotationMs).toBe(
      T0 + 7 * DAY,
    );
    expect(() => enableRotation(undefined, undefined, true, T0)).toThrow(/no rotation schedule/);
  });

  it('keeps the schedule but drops the due date when rotation is turned off', () => {
    const on = enableRotation(undefined, { AutomaticallyAfterDays: 7 }, true, T0);
    const off = disableRotation(on);
    expect(off).toEqual({ enabled: false, rules: { AutomaticallyAfterDays: 7 } });
    expect(isRotationOverdue(off, T0 + 100 * DAY)).toBe(false);
    // A new value while rotation is off is not a rotation.
    expect(recordRotation(off, T0 + DAY)).toEqual(off);
  });
});
