/**
 * The entry point for policy text from a user (PutRolePolicy, a pipeline's resource policy...):
 * JSON, then IAM's grammar, then compilation, so a document that parses is ready to evaluate.
 */
import type { CompileOptions } from './compile-policy.js';
import { compilePolicy } from './compile-policy.js';
import type { PolicyDocument } from './policy-document.js';
import { PolicyDocumentError } from './policy-document.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Parses and validates policy JSON; throws PolicyDocumentError (MalformedPolicyDocument). The
 * result is frozen because its compiled form is cached against it.
 */
export function parsePolicyDocument(json: string, options: CompileOptions = {}): PolicyDocument {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new PolicyDocumentError(`Syntax errors in policy. ${(error as Error).message}`);
  }
  compilePolicy(value, options);
  return deepFreeze(value as PolicyDocument);
}
