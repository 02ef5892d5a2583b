/**
 * S3 Object Lock's rules, as pure functions over a version's lock (docs/terminology.md: object
 * lock). A version is protected while its retain-until date is in the future or its legal hold
 * is on. COMPLIANCE can be neither shortened nor removed by anyone; GOVERNANCE can, by a caller
 * who sends `x-amz-bypass-governance-retention: true` and holds s3:BypassGovernanceRetention.
 * Both can always be extended. A legal hold blocks deletion until it is turned off.
 */
import type {
  BucketRecord,
  DefaultRetention,
  ObjectLockMode,
  ObjectLockState,
} from '../store/object-metadata-store.js';
import { AccessDenied, InvalidArgument, OBJECT_LOCK_DENIAL } from './object-errors.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A requested retention: a mode and a date, both given (S3 refuses one without the other). */
export interface Retention {
  mode: ObjectLockMode;
  retainUntilMs: number;
}

/** Whether a retention is in force at `nowMs`. */
export function isRetained(lock: ObjectLockState, nowMs: number): boolean {
  return lock.retentionMode !== null && lock.retainUntilMs !== null && lock.retainUntilMs > nowMs;
}

/** The date a default retention of `days` or `years` from `nowMs` keeps a version until. */
export function retainUntilFrom(retention: DefaultRetention, nowMs: number): number {
  if (retention.days !== undefined) return nowMs + retention.days * DAY_MS;
  const date = new Date(nowMs);
  date.setUTCFullYear(date.getUTCFullYear() + (retention.years ?? 0));
  return date.getTime();
}

/**
 * The lock a new version starts with: what the writer asked for, else the bucket's default
 * retention, else none.
 */
export function initialLock(
  bucket: BucketRecord,
  requested: { retention?: Retention; legalHold?: boolean },
  nowMs: number,
): ObjectLockState {
  if (requested.retention) checkFuture(requested.retention.retainUntilMs, nowMs);
  const retention =
    requested.retention ??
    (bucket.objectLockEnabled && bucket.defaultRetention
      ? {
          mode: bucket.defaultRetention.mode,
          retainUntilMs: retainUntilFrom(bucket.defaultRetention, nowMs),
        }
      : undefined);
  return {
    retentionMode: retention?.mode ?? null,
    retainUntilMs: retention?.retainUntilMs ?? null,
    legalHold: requested.legalHold ?? false,
  };
}

/** Refuses deleting a protected version; `bypass` lifts only a GOVERNANCE retention. */
export function checkDeletable(lock: ObjectLockState, nowMs: number, bypass: boolean): void {
  if (lock.legalHold) throw new AccessDenied({}, OBJECT_LOCK_DENIAL);
  if (!isRetained(lock, nowMs)) return;
  if (lock.retentionMode === 'COMPLIANCE' || !bypass) {
    throw new AccessDenied({}, OBJECT_LOCK_DENIAL);
  }
}

/**
 * The lock after PutObjectRetention asks for `next` (null removes the retention). Extending is
 * always allowed, and so is turning GOVERNANCE into COMPLIANCE; anything that weakens an active
 * retention needs a GOVERNANCE retention and `bypass`.
 */
export function changeRetention(
  current: ObjectLockState,
  next: Retention | null,
  nowMs: number,
  bypass: boolean,
): ObjectLockState {
  if (next) checkFuture(next.retainUntilMs, nowMs);
  const updated: ObjectLockState = {
    retentionMode: next?.mode ?? null,
    retainUntilMs: next?.retainUntilMs ?? null,
    legalHold: current.legalHold,
  };
  if (!isRetained(current, nowMs)) return updated;
  const weakens =
    next === null ||
    next.retainUntilMs < (current.retainUntilMs ?? 0) ||
    (current.retentionMode === 'COMPLIANCE' && next.mode !== 'COMPLIANCE');
  if (!weakens) return updated;
  if (current.retentionMode === 'GOVERNANCE' && bypass) return updated;
  throw new AccessDenied({}, OBJECT_LOCK_DENIAL);
}

function checkFuture(retainUntilMs: number, nowMs: number): void {
  if (retainUntilMs <= nowMs) {
    throw new InvalidArgument(
      { argumentName: 'RetainUntilDate' },
      'The retain until date must be in the future!',
    );
  }
}
