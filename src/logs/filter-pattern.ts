/**
 * CloudWatch Logs filter patterns for unstructured text, as FilterLogEvents takes them:
 * - `ERROR Exception`: every term must appear (case-sensitive substrings);
 * - `"Build failed"`: a quoted phrase is one term, spaces and all (`\"` is a quote inside it);
 * - `?ERROR ?WARN`: at least one of the `?` terms must appear;
 * - `-DEBUG`: a `-` term must not appear.
 * An empty pattern matches every event. JSON (`{ $.x = 1 }`), space-delimited (`[ip, user]`)
 * and regular-expression (`%...%`) patterns are refused with InvalidParameterException.
 */
import { InvalidParameterException } from './logs-errors.js';

/** Whether an event's message matches the pattern. */
export type MessageFilter = (message: string) => boolean;

interface Terms {
  required: string[];
  anyOf: string[];
  excluded: string[];
}

/** Compiles a filter pattern once for every event of a search. */
export function compileFilterPattern(pattern: string | undefined): MessageFilter {
  const text = (pattern ?? '').trim();
  if (text === '') return () => true;
  if (/^[{[%]/.test(text)) {
    throw new InvalidParameterException(
      `Lockstep supports filter patterns of terms, "quoted phrases", ?alternatives and ` +
        `-exclusions; JSON ({...}), space-delimited ([...]) and regular expression (%...%) ` +
        `patterns are not supported: ${text}`,
    );
  }
  const { required, anyOf, excluded } = parseTerms(text);
  return (message) =>
    required.every((term) => message.includes(term)) &&
    (anyOf.length === 0 || anyOf.some((term) => message.includes(term))) &&
    !excluded.some((term) => message.includes(term));
}

function parseTerms(text: string): Terms {
  const terms: Terms = { required: [], anyOf: [], excluded: [] };
  let pos = 0;
  while (pos < text.length) {
    if (/\s/.test(text[pos]!)) {
      pos++;
      continue;
    }
    const kind = text[pos] === '?' ? 'anyOf' : text[pos] === '-' ? 'excluded' : 'required';
    if (kind !== 'required' && pos + 1 < text.length && !/\s/.test(text[pos + 1]!)) pos++;
    const { term, end } = text[pos] === '"' ? quoted(text, pos) : bare(text, pos);
    if (term !== '') terms[kind].push(term);
    pos = end;
  }
  return terms;
}

/** A term up to the next blank. */
function bare(text: string, start: number): { term: string; end: number } {
  let end = start;
  while (end < text.length && !/\s/.test(text[end]!)) end++;
  return { term: text.slice(start, end), end };
}

/** A quoted phrase starting at the quote at `start`. */
function quoted(text: string, start: number): { term: string; end: number } {
  let term = '';
  for (let pos = start + 1; pos < text.length; pos++) {
    const char = text[pos]!;
    if (char === '\\' && text[pos + 1] === '"') {
      term += '"';
      pos++;
    } else if (char === '"') {
      return { term, end: pos + 1 };
    } else {
      term += char;
    }
  }
  throw new InvalidParameterException(`The filter pattern has an unterminated quote: ${text}`);
}
