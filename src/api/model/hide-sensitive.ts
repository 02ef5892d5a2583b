/**
 * What the audit trail may keep of a request or response: the value with every member the
 * service model marks sensitive (access-key secrets, MFA seeds, KMS plaintext, secret values)
 * replaced by CloudTrail's own placeholder. Driven by the model, so a new operation's secrets
 * are hidden without anyone remembering to list them.
 */
import type { Shape } from './shape.js';

/** The text CloudTrail records in place of a sensitive value. */
export const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

/** `value` with each value of a sensitive shape (at any depth) replaced by HIDDEN. */
export function hideSensitive(shape: Shape, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (shape.sensitive) return HIDDEN;
  // `redacted` marks containers that can hold something sensitive; others are kept as they are.
  if (!shape.redacted) return value;
  if (shape.type === 'structure' && isRecord(value)) {
    const out: Record<string, unknown> = { ...value };
    for (const member of shape.members) {
      if (member.name in out) out[member.name] = hideSensitive(member.shape, out[member.name]);
    }
    return out;
  }
  if (shape.type === 'list' && Array.isArray(value)) {
    return value.map((item) => hideSensitive(shape.member, item));
  }
  if (shape.type === 'map' && isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, hideSensitive(shape.value, item)]),
    );
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
