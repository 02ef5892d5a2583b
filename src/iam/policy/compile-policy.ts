/**
 * A whole policy document, validated and compiled once. Compiled forms are kept in a WeakMap
 * keyed by the document object, so evaluation of a document seen before does no parsing: treat
 * a document as immutable once it has been evaluated (parsePolicyDocument freezes its result).
 */
import type { CompiledStatement } from './compile-statement.js';
import { compileStatement } from './compile-statement.js';
import type { PolicyDocument, PolicyKind, PolicyVersion } from './policy-document.js';
import { PolicyDocumentError } from './policy-document.js';

export interface CompiledPolicy {
  readonly version: PolicyVersion;
  readonly statements: readonly CompiledStatement[];
}

export interface CompileOptions {
  /** Enforce where-attached rules (Principal forbidden or required, Sid format); none if unset. */
  readonly kind?: PolicyKind;
}

const FIELDS = new Set(['Version', 'Id', 'Statement']);
const compiled = new WeakMap<object, CompiledPolicy>();

function checkVersion(value: unknown): PolicyVersion {
  // IAM: without a Version element the document is read as 2008-10-17.
  if (value === undefined || value === '2008-10-17') return '2008-10-17';
  if (value === '2012-10-17') return value;
  throw new PolicyDocumentError(
    `Syntax errors in policy. Version ${JSON.stringify(value)} is not 2012-10-17 or 2008-10-17.`,
    'Version',
  );
}

function checkUniqueSids(statements: readonly CompiledStatement[]): void {
  const seen = new Set<string>();
  for (const statement of statements) {
    if (statement.sid === undefined || statement.sid === '') continue;
    if (seen.has(statement.sid)) {
      throw new PolicyDocumentError(
        'Statement IDs (SID) in a single policy must be unique.',
        `Statement[${statement.index}].Sid`,
      );
    }
    seen.add(statement.sid);
  }
}

/** Validates a parsed JSON value as a policy document and compiles it. */
export function compilePolicy(value: unknown, options: CompileOptions = {}): CompiledPolicy {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PolicyDocumentError('Syntax errors in policy. The policy must be a JSON object.');
  }
  const document = value as Record<string, unknown>;
  const unknown = Object.keys(document).find((field) => !FIELDS.has(field));
  if (unknown !== undefined) {
    throw new PolicyDocumentError(`Syntax errors in policy. Unknown field ${unknown}.`, unknown);
  }
  const version = checkVersion(document.Version);
  if (document.Id !== undefined && typeof document.Id !== 'string') {
    throw new PolicyDocumentError('Syntax errors in policy. Id must be a string.', 'Id');
  }
  const raw = document.Statement;
  if (raw === undefined) throw new PolicyDocumentError('Missing required field Statement.');
  // IAM accepts a single statement object in place of an array of them.
  const list = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  const statementOptions = { kind: options.kind, variables: version === '2012-10-17' };
  const statements = list.map((statement, index) =>
    compileStatement(statement, index, statementOptions),
  );
  if (options.kind === 'identity') checkUniqueSids(statements);
  const policy = { version, statements };
  compiled.set(document, policy);
  return policy;
}

/** The compiled form of a document: cached, or compiled now (throws if it is malformed). */
export function compiledPolicyOf(document: PolicyDocument): CompiledPolicy {
  return compiled.get(document) ?? compilePolicy(document);
}
