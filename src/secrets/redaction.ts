/**
 * Redaction: what keeps secrets out of action logs (and later summaries, variables, events and
 * error messages). A Redactor replaces by `***`
 * - every secret value it is given at run time, in every form listed in redaction-forms.ts
 *   (values shorter than MIN_SECRET_LENGTH are left alone, see there), and
 * - the well-known credential shapes of redaction-shapes.ts, always, even with no secret given.
 * `Redactor.shapesOnly` is the redactor every action log gets until its run's secrets are known.
 */
import { Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { secretForms } from './redaction-forms.js';
import { SHAPE_RULES } from './redaction-shapes.js';
import { RedactingStream, type RedactionRule, type RedactionRules } from './redaction-stream.js';

export { MIN_SECRET_LENGTH } from './redaction-forms.js';
export { findCredentialLikeValue, type CredentialShape } from './redaction-shapes.js';
export { REDACTED, RedactingStream } from './redaction-stream.js';

export class Redactor {
  /** Scrubs the well-known credential shapes only. */
  static readonly shapesOnly = new Redactor();

  private readonly secrets: ReadonlySet<string>;
  private readonly compiled: RedactionRules;

  /** A redactor for `secretValues` (too-short values are ignored) and the well-known shapes. */
  constructor(secretValues: Iterable<string> = []) {
    this.secrets = new Set(secretValues);
    this.compiled = compile(this.secrets);
  }

  /** At most how many characters a stream holds back for a later chunk to decide. */
  get maxHeldBackChars(): number {
    return this.compiled.windowChars - 1;
  }

  /** A redactor that also hides `secretValues`. */
  withSecrets(secretValues: Iterable<string>): Redactor {
    return new Redactor([...this.secrets, ...secretValues]);
  }

  /** `text` with every secret and credential shape replaced by `***`. */
  redact(text: string): string {
    const stream = this.stream();
    return stream.write(text) + stream.end();
  }

  /** A stream over text that arrives in chunks (see redaction-stream.ts). */
  stream(): RedactingStream {
    return new RedactingStream(this.compiled);
  }

  /** A byte stream transform that redacts UTF-8 text, across chunk boundaries. */
  transform(): Transform {
    const decoder = new StringDecoder('utf8');
    const stream = this.stream();
    return new Transform({
      transform(chunk: Buffer, _encoding, done) {
        const out = stream.write(decoder.write(chunk));
        done(null, out.length > 0 ? Buffer.from(out, 'utf8') : undefined);
      },
      flush(done) {
        const out = stream.write(decoder.end()) + stream.end();
        done(null, out.length > 0 ? Buffer.from(out, 'utf8') : undefined);
      },
    });
  }
}

function compile(secrets: Iterable<string>): RedactionRules {
  const forms = [...new Set([...secrets].flatMap(secretForms))];
  // Longest first: a regex alternation takes the first alternative that matches, and a value's
  // full encoding must win over a shorter form that is its prefix.
  forms.sort((a, b) => b.length - a.length);
  const rules: RedactionRule[] = [];
  if (forms.length > 0) {
    rules.push({
      pattern: new RegExp(forms.map(escapeRegExp).join('|'), 'g'),
      windowChars: forms[0]!.length,
    });
  }
  rules.push(...SHAPE_RULES);
  return {
    rules,
    windowChars: Math.max(...rules.map((rule) => rule.windowChars)),
    spansLines: forms.some((form) => /[\r\n]/.test(form)),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
