/**
 * Rotation without Lambda: Lockstep runs no rotation functions, so a secret is rotated by
 * writing its new value (PutSecretValue or UpdateSecret), and RotateSecret only records the
 * schedule. Each new AWSCURRENT value of a secret with rotation turned on counts as a rotation;
 * a secret whose next rotation date has passed is overdue, and `lockstep secrets overdue`
 * lists it. Pure functions over the rotation state kept in a secret's metadata.
 */
import { InvalidParameterException } from './secret-errors.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const RATE = /^rate\(\s*(\d+)\s+(hours?|days?)\s*\)$/;

/** RotateSecret's RotationRules, as the model shapes them. */
export interface RotationRules {
  AutomaticallyAfterDays?: number;
  Duration?: string;
  ScheduleExpression?: string;
}

/** A secret's rotation state. */
export interface RotationState {
  enabled: boolean;
  rules: RotationRules;
  /** When the secret last got a new AWSCURRENT value while rotation was on. */
  lastRotatedMs?: number;
  /** When the next rotation is due; past it, the secret is overdue. */
  nextRotationMs?: number;
}

/** How long a rotation period lasts under `rules`; refuses schedules Lockstep cannot keep. */
export function rotationIntervalMs(rules: RotationRules): number {
  const days = rules.AutomaticallyAfterDays;
  const expression = rules.ScheduleExpression?.trim();
  if (days !== undefined && expression !== undefined) {
    throw new InvalidParameterException(
      'You can specify AutomaticallyAfterDays or ScheduleExpression in RotationRules, not both.',
    );
  }
  if (days !== undefined) return days * DAY_MS;
  if (expression === undefined) {
    throw new InvalidParameterException(
      'RotationRules must specify AutomaticallyAfterDays or ScheduleExpression.',
    );
  }
  const match = RATE.exec(expression);
  const count = Number(match?.[1]);
  const unit = match?.[2]?.startsWith('hour') ? 'hour' : 'day';
  const inRange = unit === 'hour' ? count >= 4 && count <= 23 : count >= 1 && count <= 1000;
  if (!match || !inRange) {
    throw new InvalidParameterException(
      `Lockstep supports ScheduleExpression rate(N days) with N from 1 to 1000 and ` +
        `rate(N hours) with N from 4 to 23, not '${expression}'; cron() schedules are not ` +
        'supported, use AutomaticallyAfterDays or a rate() expression.',
    );
  }
  return count * (unit === 'hour' ? HOUR_MS : DAY_MS);
}

/**
 * Rotation turned on (RotateSecret) at `nowMs`: due at once when `immediately` (the secret
 * shows as overdue until its new value is written), else one period after the last rotation.
 */
export function enableRotation(
  current: RotationState | undefined,
  rules: RotationRules | undefined,
  immediately: boolean,
  nowMs: number,
): RotationState {
  const effective = rules ?? current?.rules;
  if (effective === undefined) {
    throw new InvalidParameterException(
      'The secret has no rotation schedule: specify RotationRules with AutomaticallyAfterDays ' +
        'or ScheduleExpression.',
    );
  }
  const intervalMs = rotationIntervalMs(effective);
  const base = current?.lastRotatedMs ?? nowMs;
  return {
    enabled: true,
    rules: effective,
    ...(current?.lastRotatedMs === undefined ? {} : { lastRotatedMs: current.lastRotatedMs }),
    nextRotationMs: immediately ? nowMs : base + intervalMs,
  };
}

/** A new AWSCURRENT value at `nowMs`: a rotation, if rotation is on. */
export function recordRotation(
  current: RotationState | undefined,
  nowMs: number,
): RotationState | undefined {
  if (!current?.enabled) return current;
  return {
    ...current,
    lastRotatedMs: nowMs,
    nextRotationMs: nowMs + rotationIntervalMs(current.rules),
  };
}

/** Rotation turned off (CancelRotateSecret); the schedule is kept, as AWS shows it. */
export function disableRotation(current: RotationState | undefined): RotationState | undefined {
  return current && { enabled: false, rules: current.rules };
}

/** Whether the secret's rotation is on and its next rotation date has passed. */
export function isRotationOverdue(rotation: RotationState | undefined, nowMs: number): boolean {
  return (
    rotation?.enabled === true &&
    rotation.nextRotationMs !== undefined &&
    rotation.nextRotationMs <= nowMs
  );
}
