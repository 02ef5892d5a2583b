/**
 * Redaction of text that arrives in pieces. A secret split over two chunks is still found: the
 * stream holds back the end of what it has seen until the next chunk (or end()) decides it.
 *
 * How much is held back: every pattern is decided by at most `windowChars` characters from its
 * start (the longest secret form, or a shape with one character of lookahead), so text more
 * than windowChars - 1 characters before the end is final. And since no pattern crosses a line
 * break unless a secret value itself holds one, everything up to the last line break is final
 * too: a log written whole lines at a time is never held back at all.
 *
 * A private key block runs from its BEGIN line to its END line and is replaced by one `***`;
 * a block whose END never comes runs to the end of the stream, so a truncated key leaks nothing.
 */
import { KEY_BLOCK_END, KEY_BLOCK_END_WINDOW, LOOKBEHIND_CHARS } from './redaction-shapes.js';

export const REDACTED = '***';

/** One pattern the stream looks for. */
export interface RedactionRule {
  /** Global; group 1, when present, is kept in front of the `***`. */
  pattern: RegExp;
  windowChars: number;
  opensKeyBlock?: true;
}

/** The rules of one Redactor, compiled once. */
export interface RedactionRules {
  rules: readonly RedactionRule[];
  /** The largest windowChars of any rule. */
  windowChars: number;
  /** Whether some secret form holds a line break, so matches may cross lines. */
  spansLines: boolean;
}

interface Candidate {
  rule: RedactionRule;
  index: number;
  end: number;
  kept: string;
}

/** A redacting stream over text: write() returns what is final, end() the rest. */
export class RedactingStream {
  /** Text already emitted (or dropped) that lookbehinds may still look at. */
  private context = '';
  private pending = '';
  private inKeyBlock = false;

  constructor(private readonly compiled: RedactionRules) {}

  /** Takes the next piece of text; returns the redacted text that no later piece can change. */
  write(text: string): string {
    this.pending += text;
    return this.drain(false);
  }

  /** Ends the stream; returns the redacted rest. */
  end(): string {
    const rest = this.drain(true);
    this.inKeyBlock = false;
    return rest;
  }

  private drain(final: boolean): string {
    const text = this.context + this.pending;
    let pos = this.context.length;
    let out = '';
    const cache = new Map<RedactionRule, Candidate | null>();
    for (;;) {
      if (this.inKeyBlock) {
        pos = this.skipKeyBlock(text, pos, final);
        if (this.inKeyBlock) break;
        continue;
      }
      const cut = this.finalUpTo(text, final, this.compiled.windowChars, this.compiled.spansLines);
      const next = this.earliest(text, pos, cache);
      if (next === undefined || next.index >= cut) {
        const until = Math.max(pos, cut);
        out += text.slice(pos, until);
        pos = until;
        break;
      }
      out += text.slice(pos, next.index) + next.kept + REDACTED;
      pos = next.end;
      if (next.rule.opensKeyBlock) this.inKeyBlock = true;
    }
    this.context = text.slice(Math.max(0, pos - LOOKBEHIND_CHARS), pos);
    this.pending = text.slice(pos);
    return out;
  }

  /** Drops key material up to the END line; returns where to continue. */
  private skipKeyBlock(text: string, pos: number, final: boolean): number {
    KEY_BLOCK_END.lastIndex = pos;
    const end = KEY_BLOCK_END.exec(text);
    if (end !== null) {
      this.inKeyBlock = false;
      return end.index + end[0].length;
    }
    return Math.max(pos, this.finalUpTo(text, final, KEY_BLOCK_END_WINDOW, false));
  }

  /** The index before which nothing can change any more. */
  private finalUpTo(text: string, final: boolean, windowChars: number, spansLines: boolean) {
    if (final) return text.length;
    const byWindow = text.length - (windowChars - 1);
    return spansLines ? byWindow : Math.max(byWindow, text.lastIndexOf('\n') + 1);
  }

  /** The leftmost match of any rule at or after `pos`; the longest wins a tie, then rule order. */
  private earliest(text: string, pos: number, cache: Map<RedactionRule, Candidate | null>) {
    let best: Candidate | undefined;
    for (const rule of this.compiled.rules) {
      let candidate = cache.get(rule);
      if (candidate === undefined || (candidate !== null && candidate.index < pos)) {
        candidate = find(rule, text, pos);
        cache.set(rule, candidate);
      }
      if (candidate === null) continue;
      if (
        best === undefined ||
        candidate.index < best.index ||
        (candidate.index === best.index && candidate.end > best.end)
      ) {
        best = candidate;
      }
    }
    return best;
  }
}

function find(rule: RedactionRule, text: string, pos: number): Candidate | null {
  rule.pattern.lastIndex = pos;
  const match = rule.pattern.exec(text);
  if (match === null) return null;
  return {
    rule,
    index: match.index,
    end: match.index + match[0].length,
    kept: match[1] ?? '',
  };
}
