/**
 * Turns secret values into stored versions and back: envelope encryption (secret-envelope.ts)
 * under the secret's KMS key, or the installation's managed key aws/secretsmanager. As on AWS,
 * a customer managed key is used on the caller's behalf, so the caller needs
 * kms:GenerateDataKey to write a value and kms:Decrypt to read one; the managed key is there
 * for every principal of the account.
 */
import type { KeyCipher } from '../kms/key-cipher.js';
import type { SecretVersionRecord } from '../store/secret-store.js';
import { openSecretValue, sealSecretValue } from './secret-envelope.js';
import { InvalidParameterException } from './secret-errors.js';

/** The alias of the AWS-managed key for Secrets Manager. */
export const MANAGED_SECRETS_KEY = 'alias/aws/secretsmanager';

/** A secret value in clear, only ever in memory. */
export interface PlainValue {
  type: 'string' | 'binary';
  bytes: Buffer;
}

/** Authorizes the caller's use of a customer managed key (through the IAM authorizer). */
export type AuthorizeKeyUse = (
  action: 'kms:Decrypt' | 'kms:GenerateDataKey',
  keyArn: string,
) => Promise<void>;

/** SecretString or SecretBinary (base64, as the model validated it), at most one. */
export function plainValueOf(input: {
  SecretString?: string;
  SecretBinary?: string;
}): PlainValue | undefined {
  if (input.SecretString !== undefined && input.SecretBinary !== undefined) {
    throw new InvalidParameterException(
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  }
  if (input.SecretString !== undefined) {
    return { type: 'string', bytes: Buffer.from(input.SecretString, 'utf8') };
  }
  if (input.SecretBinary !== undefined) {
    return { type: 'binary', bytes: Buffer.from(input.SecretBinary, 'base64') };
  }
  return undefined;
}

/** A value as GetSecretValue returns it: SecretString, or SecretBinary in base64. */
export function wireValue(value: PlainValue): { SecretString?: string; SecretBinary?: string } {
  return value.type === 'string'
    ? { SecretString: value.bytes.toString('utf8') }
    : { SecretBinary: value.bytes.toString('base64') };
}

/** Whether two values are the same (type and bytes). */
export function sameValue(a: PlainValue, b: PlainValue): boolean {
  return a.type === b.type && a.bytes.equals(b.bytes);
}

export class SecretValueCipher {
  private managedKeyArn: string | undefined;

  constructor(
    private readonly keys: KeyCipher,
    private readonly now: () => number,
  ) {}

  /** Seals `value` as version `versionId` of the secret under `kmsKeyId` (or the managed key). */
  async seal(
    ref: { secretArn: string; versionId: string; createdMs?: number },
    kmsKeyId: string | undefined,
    value: PlainValue,
    authorizeKeyUse: AuthorizeKeyUse,
  ): Promise<SecretVersionRecord> {
    // The managed key is made on first use, so it is named by the ARN that call returns.
    const keyId =
      kmsKeyId === undefined || kmsKeyId === MANAGED_SECRETS_KEY
        ? await this.managedArn()
        : kmsKeyId;
    const sealed = await sealSecretValue(this.keys, keyId, ref, value.bytes);
    if (await this.isCustomerKey(sealed.keyArn)) {
      await authorizeKeyUse('kms:GenerateDataKey', sealed.keyArn);
    }
    return {
      secretArn: ref.secretArn,
      versionId: ref.versionId,
      createdMs: ref.createdMs ?? this.now(),
      valueType: value.type,
      ...sealed,
    };
  }

  /** Opens a stored version; the caller must be allowed kms:Decrypt on a customer managed key. */
  async open(version: SecretVersionRecord, authorizeKeyUse: AuthorizeKeyUse): Promise<PlainValue> {
    if (await this.isCustomerKey(version.keyArn)) {
      await authorizeKeyUse('kms:Decrypt', version.keyArn);
    }
    const bytes = await openSecretValue(this.keys, version, version);
    return { type: version.valueType, bytes };
  }

  private async isCustomerKey(keyArn: string): Promise<boolean> {
    return keyArn !== (await this.managedArn());
  }

  private async managedArn(): Promise<string> {
    this.managedKeyArn ??= await this.keys.managedKeyArn(MANAGED_SECRETS_KEY);
    return this.managedKeyArn;
  }
}
