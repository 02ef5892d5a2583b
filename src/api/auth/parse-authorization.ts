import { IncompleteSignatureException } from '../../errors/lockstep-error.js';
import { SIGV4_MESSAGES } from './sigv4-messages.js';

/** The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header. */
export interface ParsedAuthorization {
  /** As sent; checked against AWS4-HMAC-SHA256 later, in AWS's order of checks. */
  algorithm: string;
  credential: string;
  /** As listed by the client, in its order and case. */
  signedHeaders: string[];
  signature: string;
}

/**
 * Splits an Authorization header into its parameters, refusing it with AWS's own
 * IncompleteSignatureException messages when a parameter (or the date header, whose absence
 * AWS reports in the same message) is missing.
 */
export function parseAuthorization(header: string, hasDateHeader: boolean): ParsedAuthorization {
  const trimmed = header.trim();
  const [algorithm = '', ...rest] = trimmed.split(/\s+/);
  const params = new Map<string, string>();
  // AWS separates parameters by commas and by whitespace alike: "Credential= AKID/..." is
  // reported as "'AKID/...' not a valid key=value pair".
  for (const part of rest.join(' ').split(/[,\s]+/)) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    if (equals < 0) {
      throw new IncompleteSignatureException(
        `'${part}' not a valid key=value pair (missing equal-sign) in Authorization header: '${trimmed}'.`,
      );
    }
    // Repeated keys: the last one wins, as AWS does.
    params.set(part.slice(0, equals), part.slice(equals + 1));
  }
  const credential = params.get('Credential') ?? '';
  const signature = params.get('Signature') ?? '';
  const signedHeaders = params.get('SignedHeaders') ?? '';
  const missing: string[] = [];
  if (credential === '') missing.push(SIGV4_MESSAGES.requiresCredential);
  if (signature === '') missing.push(SIGV4_MESSAGES.requiresSignature);
  if (signedHeaders === '') missing.push(SIGV4_MESSAGES.requiresSignedHeaders);
  if (!hasDateHeader) missing.push(SIGV4_MESSAGES.requiresDate);
  if (missing.length > 0) {
    throw new IncompleteSignatureException(`${missing.join(' ')} Authorization=${trimmed}`);
  }
  return { algorithm, credential, signedHeaders: signedHeaders.split(';'), signature };
}
