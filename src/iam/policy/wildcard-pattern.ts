/**
 * IAM's `*` and `?` wildcards as regular expressions, compiled once per policy. Each mode is a
 * rule AWS documents for one place a pattern appears:
 * - action: whole string, case-insensitive ("The prefix and the action name are case insensitive").
 * - resource: case-sensitive; wildcards stay inside one colon-separated segment of the first five,
 *   except a `*` ending a segment, which "can expand to match beyond colon boundaries"; in the
 *   resource part (after the fifth colon) they match anything, `/` and `:` included.
 * - arn (ArnLike, ArnEquals): "each of the six colon-delimited components ... checked separately".
 * - string (StringLike): whole string, case-sensitive.
 */
import type { PolicyTemplate, ResolvedPart } from './policy-template.js';
import { resolveTemplate } from './policy-template.js';
import type { EvaluationContext } from './request-context.js';

export type WildcardMode = 'action' | 'resource' | 'arn' | 'string';

/** Tests one request value; false as well when a policy variable cannot be resolved. */
export type ValueMatcher = (value: string, context: EvaluationContext) => boolean;

const ARN_SEGMENTS_BEFORE_RESOURCE = 5;
// Patterns with variables compile per distinct set of values; bounded so a stream of user
// names cannot grow memory without limit.
const MAX_CACHED_PATTERNS = 256;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function segmentedSource(parts: readonly ResolvedPart[], mode: 'resource' | 'arn'): string {
  let source = '';
  let colons = 0;
  parts.forEach((part, index) => {
    if (part.kind === 'text') {
      source += escapeRegExp(part.text);
      colons += part.text.split(':').length - 1;
      return;
    }
    const inResourcePart = colons >= ARN_SEGMENTS_BEFORE_RESOURCE;
    if (part.kind === 'any-char') {
      source += inResourcePart ? '.' : '[^:]';
      return;
    }
    const next = parts[index + 1];
    const endsSegment = next === undefined || (next.kind === 'text' && next.text.startsWith(':'));
    source += inResourcePart || (mode === 'resource' && endsSegment) ? '.*' : '[^:]*';
  });
  return source;
}

/** The regular-expression source (unanchored) for resolved parts in the given mode. */
function wildcardSource(parts: readonly ResolvedPart[], mode: WildcardMode): string {
  if (mode === 'resource' || mode === 'arn') return segmentedSource(parts, mode);
  let source = '';
  for (const part of parts) {
    source += part.kind === 'text' ? escapeRegExp(part.text) : part.kind === 'star' ? '.*' : '.';
  }
  return source;
}

function anchored(sources: readonly string[], mode: WildcardMode): RegExp {
  // `s`: `.` must match a newline too, or `*` would stop at one inside a value.
  return new RegExp(`^(?:${sources.join('|')})$`, mode === 'action' ? 'is' : 's');
}

function variableMatcher(template: PolicyTemplate, mode: WildcardMode): ValueMatcher {
  const cache = new Map<string, RegExp>();
  return (value, context) => {
    const parts = resolveTemplate(template, context);
    if (parts === undefined) return false;
    const cacheKey = parts.map((p) => (p.kind === 'text' ? p.text : p.kind)).join('\u0000');
    let pattern = cache.get(cacheKey);
    if (pattern === undefined) {
      if (cache.size >= MAX_CACHED_PATTERNS) cache.clear();
      pattern = anchored([wildcardSource(parts, mode)], mode);
      cache.set(cacheKey, pattern);
    }
    return pattern.test(value);
  };
}

/** One matcher for a list of patterns (ORed): variable-free ones share a single expression. */
export function compileWildcardMatcher(
  templates: readonly PolicyTemplate[],
  mode: WildcardMode,
): ValueMatcher {
  const fixed = templates.filter((t) => t.variables.length === 0);
  const withVariables = templates
    .filter((t) => t.variables.length > 0)
    .map((t) => variableMatcher(t, mode));
  const pattern =
    fixed.length === 0
      ? undefined
      : anchored(
          fixed.map((t) => wildcardSource(t.parts as ResolvedPart[], mode)),
          mode,
        );
  if (withVariables.length === 0 && pattern !== undefined) return (value) => pattern.test(value);
  return (value, context) =>
    pattern?.test(value) === true || withVariables.some((match) => match(value, context));
}
