/**
 * How KMS names keys and aliases: key ids are UUIDs, ARNs are
 * `arn:aws:kms:<region>:<account>:key/<id>` and `...:alias/<name>`, and every KeyId parameter
 * takes any of key id, key ARN, alias name or alias ARN.
 */
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import { InvalidAliasNameException, InvalidArnException, NotFoundException } from './kms-errors.js';

export const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ALIAS_PREFIX = 'alias/';
const RESERVED_ALIAS_PREFIX = 'alias/aws/';

/** A KeyId parameter, once told apart: a key by id, or an alias by name. */
export type KeyReference = { kind: 'key'; keyId: string } | { kind: 'alias'; aliasName: string };

/** `arn:aws:kms:<region>:<account>:key/<id>` */
export function keyArn(scope: AccountScope, keyId: string): string {
  return `arn:aws:kms:${scope.region}:${scope.accountId}:key/${keyId}`;
}

/** `arn:aws:kms:<region>:<account>:alias/<name>`; `aliasName` includes `alias/`. */
export function aliasArn(scope: AccountScope, aliasName: string): string {
  return `arn:aws:kms:${scope.region}:${scope.accountId}:${aliasName}`;
}

/**
 * Tells apart what a KeyId parameter names. Throws InvalidArnException for a malformed ARN and
 * NotFoundException for one of another account or region, or a key id that is not a UUID.
 */
export function parseKeyReference(scope: AccountScope, value: string): KeyReference {
  if (value.startsWith('arn:')) return parseKmsArn(scope, value);
  if (value.startsWith(ALIAS_PREFIX)) return { kind: 'alias', aliasName: value };
  if (KEY_ID.test(value)) return { kind: 'key', keyId: value };
  throw new NotFoundException(`Invalid keyId '${value}'`);
}

function parseKmsArn(scope: AccountScope, arn: string): KeyReference {
  const [, partition, service, region, account, ...rest] = arn.split(':');
  const resource = rest.join(':');
  if (partition !== 'aws' || service !== 'kms' || !region || !/^\d{12}$/.test(account ?? '')) {
    throw new InvalidArnException(`${arn} is not a valid KMS key or alias ARN.`);
  }
  if (region !== scope.region || account !== scope.accountId) {
    throw new NotFoundException(
      `${arn} is not in this account and Region (${scope.accountId}, ${scope.region}).`,
    );
  }
  if (resource.startsWith('key/') && KEY_ID.test(resource.slice(4))) {
    return { kind: 'key', keyId: resource.slice(4) };
  }
  if (resource.startsWith(ALIAS_PREFIX)) return { kind: 'alias', aliasName: resource };
  throw new InvalidArnException(`${arn} is not a valid KMS key or alias ARN.`);
}

/**
 * Checks an alias name a user wants to create or move: `alias/...`, and not in the
 * `alias/aws/` namespace, which AWS keeps for its managed keys.
 */
export function checkCustomerAliasName(aliasName: string): void {
  if (!aliasName.startsWith(ALIAS_PREFIX) || aliasName.length === ALIAS_PREFIX.length) {
    throw new InvalidAliasNameException(
      `Alias name ${aliasName} must begin with "alias/" followed by a name.`,
    );
  }
  if (aliasName.startsWith(RESERVED_ALIAS_PREFIX)) {
    throw new InvalidAliasNameException(
      `Alias name ${aliasName} begins with "alias/aws/", which is reserved for AWS managed keys.`,
    );
  }
}

/** Whether an alias belongs to an AWS managed key. */
export function isManagedAliasName(aliasName: string): boolean {
  return aliasName.startsWith(RESERVED_ALIAS_PREFIX);
}
