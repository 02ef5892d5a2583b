/**
 * Secret ARNs as AWS makes them: `arn:aws:secretsmanager:<region>:<account>:secret:<name>-XXXXXX`,
 * the name followed by a hyphen and six random characters, so that a secret deleted and
 * created again under the same name gets a new ARN and old grants do not carry over to it.
 */
import { randomInt } from 'node:crypto';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import { InvalidParameterException } from './secret-errors.js';

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const SUFFIX_LENGTH = 6;
const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

/** The part of every secret ARN of this account and region before the name. */
export function secretArnPrefix(scope: AccountScope): string {
  return `arn:aws:secretsmanager:${scope.region}:${scope.accountId}:secret:`;
}

/** A new secret's ARN: its name and a fresh six-character random suffix. */
export function newSecretArn(scope: AccountScope, name: string): string {
  let suffix = '';
  for (let i = 0; i < SUFFIX_LENGTH; i += 1) {
    suffix += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  }
  return `${secretArnPrefix(scope)}${name}-${suffix}`;
}

/**
 * What a SecretId names: a full ARN (tried as is, then as a partial ARN), a partial ARN (the
 * ARN without its suffix) or a name. Undefined for an ARN of another account, region or
 * service, which can name no secret here.
 */
export function readSecretId(
  scope: AccountScope,
  secretId: string,
): { arn?: string; name: string } | undefined {
  if (!secretId.startsWith('arn:')) return { name: secretId };
  const prefix = secretArnPrefix(scope);
  if (!secretId.startsWith(prefix) || secretId.length === prefix.length) return undefined;
  return { arn: secretId, name: secretId.slice(prefix.length) };
}

/** Refuses a name AWS would refuse: 1..512 of letters, digits and `/_+=.@-`. */
export function checkSecretName(name: string): void {
  if (!NAME.test(name)) {
    throw new InvalidParameterException(
      'Invalid name. Must be a valid name containing alphanumeric characters, ' +
        'or any of the following: -/_+=.@!',
    );
  }
}
