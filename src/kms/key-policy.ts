/**
 * Key policies: the default one AWS gives a key created without a policy (the account root
 * allowed kms:*, which hands the key's access over to IAM policies), the one AWS gives its
 * managed keys (use only through their service, metadata to the account), and the checks a
 * policy a user puts must pass.
 */
import { PolicyDocumentError, type PolicyDocument } from '../iam/policy/policy-document.js';
import { parsePolicyDocument } from '../iam/policy/parse-policy-document.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import { LimitExceededException, MalformedPolicyDocumentException } from './kms-errors.js';

/** AWS's quota on a key policy's size. */
const MAX_POLICY_BYTES = 32 * 1024;

/** The only policy name a key has. */
export const DEFAULT_POLICY_NAME = 'default';

/** The policy AWS gives a key created without one, as JSON text. */
export function defaultKeyPolicy(scope: AccountScope): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${scope.accountId}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}

/**
 * The policy of an AWS managed key for `service` (`secretsmanager`): any principal of the
 * account may use it through that service only (kms:ViaService, which a direct KMS call never
 * has), and the account may read its metadata; nobody may change or delete it.
 */
export function managedKeyPolicy(scope: AccountScope, service: string): string {
  const viaService = `${service}.${scope.region}.amazonaws.com`;
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: `auto-${service}-1`,
      Statement: [
        {
          Sid: `Allow access through ${service} for all principals in the account that are authorized to use ${service}`,
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: {
            StringEquals: { 'kms:CallerAccount': scope.accountId, 'kms:ViaService': viaService },
          },
        },
        {
          Sid: 'Allow direct access to key metadata to the account',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${scope.accountId}:root` },
          Action: ['kms:Describe*', 'kms:Get*', 'kms:List*'],
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}

/**
 * Parses a key policy a user sent; MalformedPolicyDocumentException when it is not a valid
 * resource policy (every statement needs a Principal), LimitExceededException past 32 KB.
 */
export function parseKeyPolicy(text: string): PolicyDocument {
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_BYTES) {
    throw new LimitExceededException(
      `The key policy is larger than the quota of ${MAX_POLICY_BYTES} bytes.`,
    );
  }
  try {
    return parsePolicyDocument(text, { kind: 'resource' });
  } catch (error) {
    if (!(error instanceof PolicyDocumentError)) throw error;
    throw new MalformedPolicyDocumentException(error.message, { cause: error });
  }
}

const parsed = new Map<string, PolicyDocument>();
const CACHE_LIMIT = 500;

/** A stored key policy, parsed once per text: the same few are evaluated on every call. */
export function storedKeyPolicy(text: string): PolicyDocument {
  let document = parsed.get(text);
  if (document === undefined) {
    document = parsePolicyDocument(text, { kind: 'resource' });
    if (parsed.size >= CACHE_LIMIT) parsed.clear();
    parsed.set(text, document);
  }
  return document;
}
