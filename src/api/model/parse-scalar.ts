import { constraintMessage } from './constraint-message.js';
import type { BlobShape, NumberShape, Shape, StringShape, TimestampShape } from './shape.js';
import { violate, wrongType } from './walk-context.js';
import type { WalkContext } from './walk-context.js';

type ScalarShape = Exclude<Shape, { type: 'structure' | 'list' | 'map' }>;

/**
 * Checks a scalar value (never null) against its shape and returns it unchanged. `hidden` is
 * true when the value must not appear in a message (a sensitive shape or ancestor).
 */
export function parseScalar(
  shape: ScalarShape,
  value: unknown,
  path: string,
  hidden: boolean,
  context: WalkContext,
): unknown {
  switch (shape.type) {
    case 'string':
      if (typeof value !== 'string') throw wrongType(value, path, hidden, 'string');
      checkString(shape, value, path, hidden, context);
      return value;
    case 'integer':
    case 'long':
    case 'short':
    case 'byte':
    case 'double':
    case 'float':
      return parseNumber(shape, value, path, hidden, context);
    case 'boolean':
      if (typeof value !== 'boolean') throw wrongType(value, path, hidden, 'boolean');
      return value;
    case 'timestamp':
      return parseTimestamp(shape, value, path, hidden);
    case 'blob':
      return parseBlob(shape, value, path, hidden, context);
    case 'document':
      return value;
  }
}

/** Whether a map key satisfies every constraint of the key shape. */
export function isValidKey(shape: StringShape, key: string): boolean {
  if (shape.enumValues !== undefined && !shape.enumValues.has(key)) return false;
  const length = characterCount(shape, key);
  if (shape.max !== undefined && length > shape.max) return false;
  if (shape.min !== undefined && length < shape.min) return false;
  return shape.pattern === undefined || shape.pattern.test(key);
}

/** Checks a length or size against min/max; returns true when it is over the maximum. */
export function checkSize(
  shape: { min: number | undefined; max: number | undefined },
  value: unknown,
  size: number,
  path: string,
  hidden: boolean,
  context: WalkContext,
): boolean {
  if (shape.max !== undefined && size > shape.max) {
    violate(context, value, path, hidden, constraintMessage.maxLength(shape.max));
    return true;
  }
  if (shape.min !== undefined && size < shape.min) {
    violate(context, value, path, hidden, constraintMessage.minLength(shape.min));
  }
  return false;
}

function checkString(
  shape: StringShape,
  value: string,
  path: string,
  hidden: boolean,
  context: WalkContext,
): void {
  if (shape.enumValues !== undefined && !shape.enumValues.has(value)) {
    violate(context, value, path, hidden, shape.enumMessage ?? '');
  }
  const tooLong = checkSize(shape, value, characterCount(shape, value), path, hidden, context);
  // A value already over its maximum is not also run through the pattern: this bounds the
  // regex cost to inputs of modelled length, at the price of one fewer message in that case.
  if (shape.pattern !== undefined && !tooLong && !shape.pattern.test(value)) {
    violate(context, value, path, hidden, constraintMessage.pattern(shape.patternSource ?? ''));
  }
}

/** Length in characters (code points), counted only when a bound needs it. */
function characterCount(shape: StringShape, value: string): number {
  if (shape.min === undefined && shape.max === undefined) return 0;
  let count = value.length;
  for (let i = 0; i < value.length; i += 1) {
    const unit = value.charCodeAt(i);
    // A high surrogate followed by a low one is one character, not two.
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const nextUnit = value.charCodeAt(i + 1);
      if (nextUnit >= 0xdc00 && nextUnit <= 0xdfff) count -= 1;
    }
  }
  return count;
}

const INTEGER_LIMITS: Record<NumberShape['type'], number> = {
  byte: 2 ** 7,
  short: 2 ** 15,
  integer: 2 ** 31,
  long: 2 ** 63,
  double: Number.MAX_VALUE,
  float: Number.MAX_VALUE,
};

function parseNumber(
  shape: NumberShape,
  value: unknown,
  path: string,
  hidden: boolean,
  context: WalkContext,
): number {
  const limit = INTEGER_LIMITS[shape.type];
  const integral = shape.type !== 'double' && shape.type !== 'float';
  const fits =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!integral || (Number.isInteger(value) && value >= -limit && value < limit));
  if (!fits) throw wrongType(value, path, hidden, integral ? shape.type : 'number');
  if (shape.max !== undefined && value > shape.max) {
    violate(context, value, path, hidden, constraintMessage.maxValue(shape.max));
  } else if (shape.min !== undefined && value < shape.min) {
    violate(context, value, path, hidden, constraintMessage.minValue(shape.min));
  }
  return value;
}

/** Epoch seconds, as every SDK sends on JSON protocols; kept as the number that was sent. */
function parseTimestamp(
  shape: TimestampShape,
  value: unknown,
  path: string,
  hidden: boolean,
): number | string {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const textual = shape.timestampFormat === 'iso8601' || shape.timestampFormat === 'rfc822';
  if (textual && typeof value === 'string' && !Number.isNaN(Date.parse(value))) return value;
  throw wrongType(value, path, hidden, 'timestamp (epoch seconds)');
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A base64 string, kept encoded; its length bounds apply to the decoded bytes. */
function parseBlob(
  shape: BlobShape,
  value: unknown,
  path: string,
  hidden: boolean,
  context: WalkContext,
): string {
  if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value)) {
    throw wrongType(value, path, hidden, 'blob (base64 string)');
  }
  const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
  checkSize(shape, value, (value.length / 4) * 3 - padding, path, hidden, context);
  return value;
}
