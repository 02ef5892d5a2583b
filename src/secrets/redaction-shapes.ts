/**
 * Well-known credential shapes: text that is a credential whoever wrote it, scrubbed from every
 * action log whether or not it came from a secret Lockstep knows. Each pattern is bounded (no
 * unbounded repetition) and never crosses a line break, so a stream can redact it by holding
 * back a fixed number of characters (see redaction-stream.ts).
 */

/** Which kind of credential a piece of text looks like. */
export interface CredentialShape {
  id:
    | 'aws-access-key-id'
    | 'aws-secret-access-key'
    | 'github-token'
    | 'gitlab-token'
    | 'slack-token'
    | 'private-key';
  /** How a message names it: "an AWS access key id". */
  description: string;
}

/** A shape as the redaction engine uses it. */
export interface ShapeRule {
  shape: CredentialShape;
  /** Global; group 1, when present, is kept (the marker that says a secret follows). */
  pattern: RegExp;
  /** How many characters from a match's start decide it: the longest match plus lookahead. */
  windowChars: number;
  /** The start of a private key block: everything up to its END line is dropped. */
  opensKeyBlock?: true;
}

/** How far back (in characters) any pattern's lookbehind looks. */
export const LOOKBEHIND_CHARS = 1;

const KEY_LABEL = '[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?';

/** The BEGIN line of a PEM, OpenSSH or PGP private key. */
const KEY_BEGIN = `-----BEGIN${KEY_LABEL}-----`;

/** The END line of a private key block. */
export const KEY_BLOCK_END = new RegExp(`-----END${KEY_LABEL}-----`, 'g');
export const KEY_BLOCK_END_WINDOW = 5 + 3 + 40 + 17 + 5;

const AWS_SECRET_MARKER = `(?:aws[_-]?)?secret[_-]?access[_-]?key`;

function shape(id: CredentialShape['id'], description: string): CredentialShape {
  return { id, description };
}

/** Every shape, in the order findCredentialLikeValue reports them. */
export const SHAPE_RULES: readonly ShapeRule[] = [
  {
    shape: shape('private-key', 'a private key'),
    pattern: new RegExp(KEY_BEGIN, 'g'),
    windowChars: 5 + 5 + 40 + 17 + 5,
    opensKeyBlock: true,
  },
  {
    // Access key ids are not secret on their own, but they name the key whose secret is near.
    shape: shape('aws-access-key-id', 'an AWS access key id'),
    pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
    windowChars: 20 + 1,
  },
  {
    // A bare 40-character secret looks like any base64 or a commit id; only a marker before it
    // (aws_secret_access_key = ..., "SecretAccessKey": "...") tells it apart.
    shape: shape('aws-secret-access-key', 'an AWS secret access key'),
    pattern: new RegExp(
      `(${AWS_SECRET_MARKER}["']?[ \\t]{0,4}[:=][ \\t]{0,4}["']?)[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])`,
      'gi',
    ),
    windowChars: 21 + 1 + 4 + 1 + 4 + 1 + 40 + 1,
  },
  {
    shape: shape('github-token', 'a GitHub token'),
    pattern:
      /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,244})(?![A-Za-z0-9_])/g,
    windowChars: 11 + 244 + 1,
  },
  {
    shape: shape('gitlab-token', 'a GitLab token'),
    pattern: /(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_.-]{20,200}/g,
    windowChars: 6 + 200,
  },
  {
    shape: shape('slack-token', 'a Slack token'),
    pattern: /(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,250}/g,
    windowChars: 5 + 250,
  },
];

/**
 * Which well-known credential shape `value` contains, if any: for refusing a credential written
 * into a pipeline's configuration instead of a secret.
 */
export function findCredentialLikeValue(value: string): CredentialShape | undefined {
  for (const rule of SHAPE_RULES) {
    // A fresh copy: the shared patterns are global and keep a lastIndex.
    if (new RegExp(rule.pattern.source, rule.pattern.flags.replace('g', '')).test(value)) {
      return rule.shape;
    }
  }
  return undefined;
}
