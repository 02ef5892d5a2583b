/**
 * Turns one Query parameter (always text) into the JSON value ServiceModel.parseInput expects
 * for its shape. Text that does not convert is passed on as the string it was, so that
 * parseInput refuses it with its usual message (`Value 'abc' at 'maxItems' is not a valid
 * integer`) instead of this file inventing a second wording.
 */
import type { Shape } from '../model/shape.js';

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
// botocore sends `2024-01-02T03:04:05Z` or with fractional seconds; other SDKs may send an
// offset. Date.parse alone would also take `2024` or `March 7`, which AWS does not.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

type ScalarShape = Exclude<Shape, { type: 'structure' | 'list' | 'map' }>;

/** The typed value of a Query parameter, or the text itself when it does not convert. */
export function decodeQueryScalar(shape: ScalarShape, text: string): unknown {
  switch (shape.type) {
    case 'integer':
    case 'long':
    case 'short':
    case 'byte':
      return INTEGER.test(text) ? Number(text) : text;
    case 'double':
    case 'float':
      return DECIMAL.test(text) ? Number(text) : text;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'timestamp':
      return decodeTimestamp(text);
    case 'string':
    case 'blob':
    case 'document':
      // Blobs stay base64 text, as parseInput takes them on every protocol.
      return text;
  }
}

/** Epoch seconds, the form parseInput accepts for every timestamp shape. */
function decodeTimestamp(text: string): number | string {
  if (INTEGER.test(text) || DECIMAL.test(text)) return Number(text);
  if (!ISO_8601.test(text)) return text;
  const ms = Date.parse(normalizeOffset(text));
  return Number.isNaN(ms) ? text : ms / 1000;
}

/** `+0100` → `+01:00`: Date.parse accepts only the form with a colon. */
function normalizeOffset(text: string): string {
  return text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
}
