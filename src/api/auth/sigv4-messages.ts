/**
 * The messages AWS services answer with when Signature Version 4 authentication fails. Clients
 * and people search for these exact strings, so they are copied from AWS responses, not
 * paraphrased. None of them may ever carry the expected signature or a secret.
 */
export const SIGV4_MESSAGES = {
  missingToken: 'Missing Authentication Token',
  signatureMismatch:
    'The request signature we calculated does not match the signature you provided. ' +
    'Check your AWS Secret Access Key and signing method. ' +
    'Consult the service documentation for details.',
  invalidToken: 'The security token included in the request is invalid.',
  requiresCredential: "Authorization header requires 'Credential' parameter.",
  requiresSignature: "Authorization header requires 'Signature' parameter.",
  requiresSignedHeaders: "Authorization header requires 'SignedHeaders' parameter.",
  requiresDate:
    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
  hostNotSigned: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
  // AWS lets an unsigned date through (the string to sign binds it anyway); we refuse it, so
  // this message is ours, worded like the host one.
  dateNotSigned: "'X-Amz-Date' or 'Date' must be a 'SignedHeader' in the AWS Authorization.",
  payloadHashMismatch:
    "The provided 'x-amz-content-sha256' header does not match what was computed.",
} as const;
