/**
 * AWS models write `pattern` as a Java regular expression that must match the whole value.
 * We translate the few Java spellings JavaScript lacks and always compile with the `u` flag:
 * it is what makes `\p{L}` mean a Unicode class (without it, `\p{L}` silently means the
 * letters `p{L}`), and its strict syntax turns any Java construct we do not translate into a
 * load-time error instead of a pattern that quietly matches something else.
 */

// Java's POSIX classes, as JavaScript class contents (hex escapes are valid in and out of `u`).
const POSIX_CLASSES: Record<string, string> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '\\x21-\\x2F\\x3A-\\x40\\x5B-\\x60\\x7B-\\x7E',
  Graph: '\\x21-\\x7E',
  Print: '\\x20-\\x7E',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
};

// Characters that `u` mode allows after a backslash (plus `-` inside a class).
const SYNTAX_CHARACTERS = '^$\\.*+?()[]{}|/';

const INLINE_FLAGS = /^\(\?([a-z]+)\)/;
const QUANTIFIER_BRACES = /^\{\d+(?:,\d*)?\}/;

/** Compiles a model's Java pattern into a RegExp that tests the whole string. */
export function compileJavaPattern(pattern: string): RegExp {
  const { source, flags } = translateJavaPattern(pattern);
  try {
    return new RegExp(`^(?:${source})$`, `u${flags}`);
  } catch (error) {
    throw new Error(`Cannot compile model pattern ${JSON.stringify(pattern)}`, { cause: error });
  }
}

interface Translation {
  source: string;
  flags: string;
}

/** Rewrites Java-only regex syntax into its JavaScript (`u` mode) equivalent. */
export function translateJavaPattern(pattern: string): Translation {
  let flags = '';
  let i = 0;
  // JavaScript on Node 20 has no inline modifiers; a leading `(?s)` becomes the `s` flag.
  const inline = INLINE_FLAGS.exec(pattern);
  if (inline?.[1] !== undefined) {
    for (const flag of inline[1]) {
      if (flag !== 's' && flag !== 'i') throw unsupported(pattern, `inline flag (?${flag})`);
      if (!flags.includes(flag)) flags += flag;
    }
    i = inline[0].length;
  }
  const scanner = new Scanner(pattern, i);
  return { source: scanner.run(), flags };
}

class Scanner {
  private out = '';
  private inClass = false;
  /** What the previous token was, when the meaning of the next one depends on it. */
  private previous: 'quantifier' | 'open-paren' | 'group-mark' | 'class-escape' | undefined;

  constructor(
    private readonly pattern: string,
    private i: number,
  ) {}

  run(): string {
    while (this.i < this.pattern.length) {
      const c = this.pattern[this.i] ?? '';
      if (c === '\\') this.escape();
      else if (this.inClass) this.classCharacter(c);
      else this.character(c);
    }
    return this.out;
  }

  private escape(): void {
    const next = this.pattern[this.i + 1];
    if (next === undefined) throw unsupported(this.pattern, 'trailing backslash');
    this.previous = undefined;
    if (next === 'p' || next === 'P') return this.property(next === 'P');
    this.i += 2;
    if (!this.inClass && (next === 'A' || next === 'z')) this.out += next === 'A' ? '^' : '$';
    else if (!this.inClass && next === 'Z') this.out += '(?=\\n?$)';
    else if (/[A-Za-z0-9]/.test(next)) {
      this.out += `\\${next}`;
      if (this.inClass && /[dDsSwW]/.test(next)) this.previous = 'class-escape';
    } else if (SYNTAX_CHARACTERS.includes(next) || (next === '-' && this.inClass)) {
      this.out += `\\${next}`;
    } else {
      // Java lets any punctuation be escaped (`\!`, `\=`, `\:`); `u` mode rejects those.
      this.out += `\\u{${(next.codePointAt(0) ?? 0).toString(16)}}`;
    }
  }

  /** `\p{Name}`: Java's POSIX names become ranges; Unicode ones (`\p{L}`) pass through. */
  private property(negated: boolean): void {
    const match = /^\\[pP](?:\{([A-Za-z_=]+)\}|([A-Za-z]))/.exec(this.pattern.slice(this.i));
    const name = match?.[1] ?? match?.[2];
    if (match === null || name === undefined) throw unsupported(this.pattern, 'malformed \\p');
    this.i += match[0].length;
    const posix = POSIX_CLASSES[name.replace(/^Is/, '')];
    if (posix === undefined) {
      this.out += `\\${negated ? 'P' : 'p'}{${name.replace(/^Is/, '')}}`;
    } else if (this.inClass && negated) {
      throw unsupported(this.pattern, `\\P{${name}} inside a class`);
    } else {
      this.out += this.inClass ? posix : `[${negated ? '^' : ''}${posix}]`;
    }
  }

  private classCharacter(c: string): void {
    if (c === '[' || (c === '&' && this.pattern[this.i + 1] === '&')) {
      throw unsupported(this.pattern, 'nested or intersected character class');
    }
    if (c === ']') this.inClass = false;
    // Java reads `-` after a class escape (`[\\w-_]`, CloudWatch Logs) as itself; `u` mode
    // would take it for a range and refuse.
    this.out += c === '-' && this.previous === 'class-escape' ? '\\-' : c;
    this.previous = undefined;
    this.i += 1;
  }

  private character(c: string): void {
    const previous = this.previous;
    this.previous = undefined;
    this.i += 1;
    if (c === '+' && previous === 'quantifier') return; // possessive `a++`: greedy is closest
    if (c === '?' && previous === 'open-paren') {
      this.out += c;
      this.previous = 'group-mark';
    } else if (c === '>' && previous === 'group-mark') {
      this.out += ':'; // atomic group `(?>...)`: a plain group accepts the same strings here
    } else if (c === '?' && previous === 'quantifier') {
      this.out += c; // lazy `a*?`
    } else if (c === '*' || c === '+' || c === '?') {
      this.out += c;
      this.previous = 'quantifier';
    } else if (c === '{') {
      this.braces();
    } else if (c === '[') {
      this.openClass();
    } else {
      this.out += c;
      if (c === '(') this.previous = 'open-paren';
    }
  }

  private braces(): void {
    const match = QUANTIFIER_BRACES.exec(this.pattern.slice(this.i - 1));
    if (match === null) throw unsupported(this.pattern, 'unbalanced {');
    this.out += match[0];
    this.i += match[0].length - 1;
    this.previous = 'quantifier';
  }

  private openClass(): void {
    this.inClass = true;
    this.out += '[';
    if (this.pattern[this.i] === '^') {
      this.out += '^';
      this.i += 1;
    }
  }
}

function unsupported(pattern: string, what: string): Error {
  return new Error(
    `Model pattern ${JSON.stringify(pattern)} uses unsupported Java syntax: ${what}`,
  );
}
