/**
 * Encrypt, Decrypt, GenerateDataKey (with and without plaintext) and ReEncrypt, as KMS answers
 * them for a symmetric key: AES-256-GCM under the key's current material, the encryption
 * context as authenticated data, blobs that name their key and material version.
 */
import { randomBytes } from 'node:crypto';
import { ValidationException } from '../errors/lockstep-error.js';
import type { KmsKeyRecord } from '../store/kms-store.js';
import { invalidCiphertext, openBlob, readBlobHeader, sealBlob } from './ciphertext-blob.js';
import type { EncryptionContext } from './key-cipher.js';
import type { KeyRing } from './key-ring.js';
import {
  DryRunOperationException,
  IncorrectKeyException,
  InvalidGrantTokenException,
  InvalidKeyUsageException,
} from './kms-errors.js';

const ALGORITHM = 'SYMMETRIC_DEFAULT';

/** What every cryptographic request may carry beside its data. */
export interface CryptoRequestOptions {
  GrantTokens?: string[];
  DryRun?: boolean;
}

export interface EncryptInput extends CryptoRequestOptions {
  KeyId: string;
  /** Base64, as on the wire. */
  Plaintext: string;
  EncryptionContext?: Record<string, string>;
  EncryptionAlgorithm?: string;
}

export interface DecryptInput extends CryptoRequestOptions {
  CiphertextBlob?: string;
  EncryptionContext?: Record<string, string>;
  KeyId?: string;
  EncryptionAlgorithm?: string;
  Recipient?: unknown;
}

export interface GenerateDataKeyInput extends CryptoRequestOptions {
  KeyId: string;
  EncryptionContext?: Record<string, string>;
  NumberOfBytes?: number;
  KeySpec?: 'AES_256' | 'AES_128';
  Recipient?: unknown;
}

export interface ReEncryptInput extends CryptoRequestOptions {
  CiphertextBlob?: string;
  SourceEncryptionContext?: Record<string, string>;
  SourceKeyId?: string;
  DestinationKeyId: string;
  DestinationEncryptionContext?: Record<string, string>;
  SourceEncryptionAlgorithm?: string;
  DestinationEncryptionAlgorithm?: string;
}

/** A ciphertext opened: its plaintext and the key and material version that made it. */
export interface Opened {
  key: KmsKeyRecord;
  plaintext: Buffer;
  materialId: string;
}

/** A plaintext sealed under a key's current material. */
export interface Sealed {
  key: KmsKeyRecord;
  blob: Buffer;
  materialId: string;
}

function checkOptions(options: CryptoRequestOptions, ...algorithms: (string | undefined)[]): void {
  if (options.GrantTokens !== undefined && options.GrantTokens.length > 0) {
    throw new InvalidGrantTokenException(
      'Lockstep does not issue KMS grants, so no grant token is valid here.',
    );
  }
  const other = algorithms.find((a) => a !== undefined && a !== ALGORITHM);
  if (other !== undefined) {
    throw new InvalidKeyUsageException(
      `${other} is not valid for a symmetric encryption KMS key; use ${ALGORITHM}.`,
    );
  }
}

/** Throws the DryRun answer once every check a real call makes has passed. */
function endDryRun(options: CryptoRequestOptions): void {
  if (options.DryRun === true) {
    throw new DryRunOperationException(
      'The request would have succeeded, but the DryRun option is set.',
    );
  }
}

function dataKeyBytes(input: GenerateDataKeyInput): number {
  if (input.Recipient !== undefined) {
    throw new ValidationException('Recipient (AWS Nitro Enclaves attestation) is not supported.');
  }
  if ((input.NumberOfBytes === undefined) === (input.KeySpec === undefined)) {
    throw new ValidationException('Please specify either NumberOfBytes or KeySpec, but not both.');
  }
  if (input.KeySpec !== undefined) return input.KeySpec === 'AES_256' ? 32 : 16;
  return input.NumberOfBytes ?? 32;
}

function requireBlob(value: string | undefined): Buffer {
  if (value === undefined) {
    throw new ValidationException(
      "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null",
    );
  }
  return Buffer.from(value, 'base64');
}

export class KeyCrypto {
  constructor(private readonly ring: KeyRing) {}

  /** Seals `plaintext` under the current material of the key `keyIdParameter` names. */
  async seal(
    keyIdParameter: string,
    plaintext: Buffer,
    context: EncryptionContext,
  ): Promise<Sealed> {
    const key = await this.ring.find(keyIdParameter);
    this.ring.requireUsable(key);
    return this.sealWith(key, plaintext, context);
  }

  private async sealWith(
    key: KmsKeyRecord,
    plaintext: Buffer,
    context: EncryptionContext,
  ): Promise<Sealed> {
    const current = await this.ring.material(key.keyId, key.currentVersion);
    if (!current) throw new Error(`key ${key.keyId} has no material version ${key.currentVersion}`);
    const header = { keyId: key.keyId, version: key.currentVersion };
    const blob = sealBlob({ ...header, material: current.material }, plaintext, context);
    current.material.fill(0);
    return { key, blob, materialId: current.materialId };
  }

  /**
   * Opens a blob with the material version it names; IncorrectKeyException when `keyIdParameter`
   * names another key, InvalidCiphertextException when the blob or context does not match.
   */
  async open(blob: Buffer, context: EncryptionContext, keyIdParameter?: string): Promise<Opened> {
    const header = readBlobHeader(blob);
    if (keyIdParameter !== undefined) {
      const named = await this.ring.find(keyIdParameter);
      if (header !== undefined && named.keyId !== header.keyId) {
        throw new IncorrectKeyException(
          'The key ID in the request does not identify the KMS key that encrypted the ciphertext.',
        );
      }
    }
    // A blob naming no key that exists (deleted, or never made here) is as unreadable as one
    // with a flipped byte.
    const key = header && (await this.ring.findById(header.keyId));
    if (!header || !key) throw invalidCiphertext();
    this.ring.requireUsable(key);
    const version = await this.ring.material(key.keyId, header.version);
    if (!version) throw invalidCiphertext();
    try {
      return {
        key,
        plaintext: openBlob(blob, version.material, context),
        materialId: version.materialId,
      };
    } finally {
      version.material.fill(0);
    }
  }

  /** Encrypt. */
  async encrypt(input: EncryptInput) {
    checkOptions(input, input.EncryptionAlgorithm);
    const key = await this.ring.find(input.KeyId);
    this.ring.requireUsable(key);
    endDryRun(input);
    const plaintext = Buffer.from(input.Plaintext, 'base64');
    const sealed = await this.sealWith(key, plaintext, input.EncryptionContext ?? {});
    plaintext.fill(0);
    return {
      CiphertextBlob: sealed.blob.toString('base64'),
      KeyId: this.ring.arn(key.keyId),
      EncryptionAlgorithm: ALGORITHM,
    };
  }

  /** Decrypt; the key comes from the blob, and KeyId, when given, must name the same key. */
  async decrypt(input: DecryptInput) {
    checkOptions(input, input.EncryptionAlgorithm);
    if (input.Recipient !== undefined) {
      throw new ValidationException('Recipient (AWS Nitro Enclaves attestation) is not supported.');
    }
    const blob = requireBlob(input.CiphertextBlob);
    const opened = await this.open(blob, input.EncryptionContext ?? {}, input.KeyId);
    endDryRun(input);
    return {
      KeyId: this.ring.arn(opened.key.keyId),
      Plaintext: opened.plaintext.toString('base64'),
      EncryptionAlgorithm: ALGORITHM,
      KeyMaterialId: opened.materialId,
    };
  }

  /** GenerateDataKey, or GenerateDataKeyWithoutPlaintext when `withPlaintext` is false. */
  async generateDataKey(input: GenerateDataKeyInput, withPlaintext: boolean) {
    checkOptions(input);
    const bytes = dataKeyBytes(input);
    const key = await this.ring.find(input.KeyId);
    this.ring.requireUsable(key);
    endDryRun(input);
    const dataKey = randomBytes(bytes);
    const sealed = await this.sealWith(key, dataKey, input.EncryptionContext ?? {});
    const plaintext = withPlaintext ? { Plaintext: dataKey.toString('base64') } : {};
    dataKey.fill(0);
    return {
      CiphertextBlob: sealed.blob.toString('base64'),
      ...plaintext,
      KeyId: this.ring.arn(key.keyId),
      KeyMaterialId: sealed.materialId,
    };
  }

  /** ReEncrypt: opens under the source key and seals under the destination, in one call. */
  async reEncrypt(input: ReEncryptInput) {
    checkOptions(input, input.SourceEncryptionAlgorithm, input.DestinationEncryptionAlgorithm);
    const blob = requireBlob(input.CiphertextBlob);
    const source = await this.open(blob, input.SourceEncryptionContext ?? {}, input.SourceKeyId);
    try {
      const destination = await this.ring.find(input.DestinationKeyId);
      this.ring.requireUsable(destination);
      endDryRun(input);
      const context = input.DestinationEncryptionContext ?? {};
      const sealed = await this.sealWith(destination, source.plaintext, context);
      return {
        CiphertextBlob: sealed.blob.toString('base64'),
        SourceKeyId: this.ring.arn(source.key.keyId),
        KeyId: this.ring.arn(destination.keyId),
        SourceEncryptionAlgorithm: ALGORITHM,
        DestinationEncryptionAlgorithm: ALGORITHM,
        SourceKeyMaterialId: source.materialId,
        DestinationKeyMaterialId: sealed.materialId,
      };
    } finally {
      source.plaintext.fill(0);
    }
  }
}
