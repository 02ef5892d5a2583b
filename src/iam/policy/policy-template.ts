/**
 * A policy string split once, at parse time, into literal text, the `*` and `?` wildcards and
 * (in 2012-10-17 documents) policy variables, so evaluation never re-scans the string.
 */
import type { EvaluationContext } from './request-context.js';
import { singleValueOf } from './request-context.js';

export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'star' }
  | { readonly kind: 'any-char' }
  | { readonly kind: 'variable'; readonly key: string; readonly fallback: string | undefined };

/** A part after variable substitution: no variables remain. */
export type ResolvedPart = Exclude<TemplatePart, { kind: 'variable' }>;

export interface TemplateVariable {
  /** Lower-cased, as condition keys are looked up. */
  readonly key: string;
  readonly hasFallback: boolean;
}

export interface PolicyTemplate {
  readonly parts: readonly TemplatePart[];
  readonly variables: readonly TemplateVariable[];
}

// `${*}`, `${?}` and `${$}` stand for the literal character, never a wildcard.
const ESCAPES: Record<string, string> = { '*': '*', '?': '?', $: '$' };
// `${aws:username, 'anonymous'}`: a default used when the key is not in the request.
const WITH_FALLBACK = /^(.+?)\s*,\s*'(.*)'$/s;

/** Splits a policy string; `variables` is false for 2008-10-17, where `${...}` is plain text. */
export function parseTemplate(source: string, variables: boolean): PolicyTemplate {
  const parts: TemplatePart[] = [];
  let text = '';
  const flush = () => {
    if (text !== '') parts.push({ kind: 'text', text });
    text = '';
  };
  for (let i = 0; i < source.length; i++) {
    const char = source.charAt(i);
    const close = variables && source.startsWith('${', i) ? source.indexOf('}', i + 2) : -1;
    if (close > i + 2) {
      const inner = source.slice(i + 2, close).trim();
      const escaped = ESCAPES[inner];
      if (escaped !== undefined) {
        text += escaped;
      } else {
        flush();
        const fallback = WITH_FALLBACK.exec(inner);
        const key = (fallback?.[1] ?? inner).trim().toLowerCase();
        parts.push({ kind: 'variable', key, fallback: fallback?.[2] });
      }
      i = close;
    } else if (char === '*' || char === '?') {
      flush();
      parts.push({ kind: char === '*' ? 'star' : 'any-char' });
    } else {
      text += char;
    }
  }
  flush();
  const found = parts.flatMap((p) =>
    p.kind === 'variable' ? [{ key: p.key, hasFallback: p.fallback !== undefined }] : [],
  );
  return { parts, variables: found };
}

/** Substitutes each variable (or its default); undefined when one has neither. */
export function resolveTemplate(
  template: PolicyTemplate,
  context: EvaluationContext,
): ResolvedPart[] | undefined {
  if (template.variables.length === 0) return template.parts as ResolvedPart[];
  const resolved: ResolvedPart[] = [];
  for (const part of template.parts) {
    if (part.kind !== 'variable') {
      resolved.push(part);
      continue;
    }
    const value = singleValueOf(context, part.key) ?? part.fallback;
    if (value === undefined) return undefined;
    // A substituted value is data: a `*` in a user name must not become a wildcard.
    resolved.push({ kind: 'text', text: value });
  }
  return resolved;
}

/** The parts as a plain string, wildcards as their own characters (for the equality operators). */
export function renderLiteral(parts: readonly ResolvedPart[]): string {
  let out = '';
  for (const part of parts)
    out += part.kind === 'text' ? part.text : part.kind === 'star' ? '*' : '?';
  return out;
}

/** True when every variable the templates use resolves in this request (or has a default). */
export function variablesResolve(
  variables: readonly TemplateVariable[],
  context: EvaluationContext,
): boolean {
  return variables.every((v) => v.hasFallback || singleValueOf(context, v.key) !== undefined);
}
