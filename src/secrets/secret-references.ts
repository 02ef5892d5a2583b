/**
 * The ways a pipeline names a secret instead of holding it, and their resolution when an action
 * starts (never earlier, never stored):
 *
 * - a dynamic reference inside any configuration value, as CloudFormation writes them:
 *   `{{resolve:secretsmanager:SECRET-ID[:SecretString[:JSON-KEY[:VERSION-STAGE[:VERSION-ID]]]]}}`
 * - an environment variable of type SECRETS_MANAGER (Commands actions, CodeBuild projects), and
 *   a buildspec's `env.secrets-manager` entry, whose value is
 *   `SECRET-ID[:JSON-KEY[:VERSION-STAGE[:VERSION-ID]]]`, as CodeBuild reads it.
 *
 * SECRET-ID is a name or a whole secret ARN (whose own colons are taken as part of it).
 */
import { LockstepError } from '../errors/lockstep-error.js';

export interface SecretReference {
  secretId: string;
  /** A top-level key of a secret whose string is a JSON object. */
  jsonKey?: string;
  versionStage?: string;
  versionId?: string;
}

/** Reads a secret's current (or named) value; the caller authorizes it for the action's role. */
export type ReadSecret = (reference: SecretReference) => Promise<string>;

/** A reference that cannot be resolved: the action fails with this, naming the reference. */
export class SecretResolutionError extends LockstepError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SecretResolutionError', message, options);
  }
}

const DYNAMIC_REFERENCE = /\{\{resolve:secretsmanager:([^}]*)\}\}/g;
/** A whole secret ARN: arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME-SUFFIX. */
const SECRET_ARN = /^arn:[^:]+:secretsmanager:[^:]*:\d{12}:secret:[^:]+/;

/** Parses `SECRET-ID[:JSON-KEY[:VERSION-STAGE[:VERSION-ID]]]`. */
export function parseSecretPath(text: string): SecretReference {
  const arn = SECRET_ARN.exec(text)?.[0];
  const secretId = arn ?? text.split(':')[0] ?? '';
  const rest = text.slice(secretId.length);
  if (secretId === '' || (rest !== '' && !rest.startsWith(':'))) {
    throw new SecretResolutionError(`'${text}' does not name a secret`);
  }
  const [jsonKey, versionStage, versionId] = rest === '' ? [] : rest.slice(1).split(':');
  return {
    secretId,
    ...(jsonKey ? { jsonKey } : {}),
    ...(versionStage ? { versionStage } : {}),
    ...(versionId ? { versionId } : {}),
  };
}

/** Parses the inside of a `{{resolve:secretsmanager:...}}` reference. */
export function parseDynamicReference(inner: string): SecretReference {
  const arn = SECRET_ARN.exec(inner)?.[0];
  const secretId = arn ?? inner.split(':')[0] ?? '';
  const rest = inner.slice(secretId.length).split(':').slice(1);
  const [kind, ...more] = rest;
  if (kind !== undefined && kind !== 'SecretString') {
    throw new SecretResolutionError(
      `{{resolve:secretsmanager:${inner}}}: only SecretString can be resolved, not '${kind}'`,
    );
  }
  return parseSecretPath([secretId, ...more].join(':'));
}

/** Whether a value holds a dynamic reference (so it must be resolved at run time). */
export function hasDynamicReference(value: string): boolean {
  return new RegExp(DYNAMIC_REFERENCE.source).test(value);
}

/**
 * Resolves the references of a run: each value read once, whatever the number of places it is
 * used. `values` collects every resolved value so the run's redactor can hide it.
 */
export class SecretResolver {
  private readonly cache = new Map<string, Promise<string>>();
  readonly values = new Set<string>();

  constructor(private readonly read: ReadSecret) {}

  /** `text` with every dynamic reference replaced by its value. */
  async resolveText(text: string): Promise<string> {
    const references = [...text.matchAll(DYNAMIC_REFERENCE)];
    if (references.length === 0) return text;
    const resolved = await Promise.all(
      references.map((match) => this.value(parseDynamicReference(match[1] ?? ''), match[0])),
    );
    let index = 0;
    return text.replace(DYNAMIC_REFERENCE, () => resolved[index++] ?? '');
  }

  /** Every value of a configuration map, resolved. */
  async resolveConfiguration(
    configuration: Readonly<Record<string, string>>,
  ): Promise<Record<string, string>> {
    const entries = await Promise.all(
      Object.entries(configuration).map(async ([key, value]) => [
        key,
        await this.resolveText(value),
      ]),
    );
    return Object.fromEntries(entries) as Record<string, string>;
  }

  /** The value of a SECRETS_MANAGER variable or buildspec `secrets-manager` entry. */
  resolvePath(text: string): Promise<string> {
    return this.value(parseSecretPath(text), text);
  }

  private value(reference: SecretReference, written: string): Promise<string> {
    const key = JSON.stringify(reference);
    let pending = this.cache.get(key);
    if (pending === undefined) {
      pending = this.readOne(reference, written);
      this.cache.set(key, pending);
    }
    return pending;
  }

  private async readOne(reference: SecretReference, written: string): Promise<string> {
    let secret: string;
    try {
      secret = await this.read(reference);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new SecretResolutionError(`could not resolve ${written}: ${why}`, { cause: error });
    }
    this.values.add(secret);
    const value = reference.jsonKey === undefined ? secret : jsonMember(secret, reference, written);
    this.values.add(value);
    return value;
  }
}

function jsonMember(secret: string, reference: SecretReference, written: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secret);
  } catch {
    throw new SecretResolutionError(
      `could not resolve ${written}: secret ${reference.secretId} is not a JSON object`,
    );
  }
  const member =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)[reference.jsonKey ?? '']
      : undefined;
  if (member === undefined || member === null) {
    throw new SecretResolutionError(
      `could not resolve ${written}: secret ${reference.secretId} has no key '${reference.jsonKey ?? ''}'`,
    );
  }
  return typeof member === 'string' ? member : JSON.stringify(member);
}
