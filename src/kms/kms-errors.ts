/**
 * KMS's modelled exceptions, named as in the service model
 * (models/kms/2014-11-01/service-2.json), so that the AWS CLI, boto3 and the JavaScript SDK map
 * them to their own exception classes. Secrets Manager and the artifact store see these too,
 * through KeyCipher.
 */
import { LockstepError } from '../errors/lockstep-error.js';

function modelled(code: string) {
  return class extends LockstepError {
    constructor(message: string, options?: { cause?: unknown }) {
      super(code, message, options);
    }
  };
}

/** No key or alias by that identifier. */
export const NotFoundException = modelled('NotFoundException');
/** The key is disabled. */
export const DisabledException = modelled('DisabledException');
/** The key's state does not allow the operation (pending deletion, an AWS managed key...). */
export const KMSInvalidStateException = modelled('KMSInvalidStateException');
/** The ciphertext, or its encryption context, is not one this key made. */
export const InvalidCiphertextException = modelled('InvalidCiphertextException');
/** Decrypt named a key that is not the one the ciphertext was made under. */
export const IncorrectKeyException = modelled('IncorrectKeyException');
/** An encryption algorithm the key does not support. */
export const InvalidKeyUsageException = modelled('InvalidKeyUsageException');
/** A request Lockstep's KMS refuses by design (asymmetric keys, imported material...). */
export const UnsupportedOperationException = modelled('UnsupportedOperationException');
export const AlreadyExistsException = modelled('AlreadyExistsException');
export const InvalidAliasNameException = modelled('InvalidAliasNameException');
export const InvalidArnException = modelled('InvalidArnException');
export const InvalidMarkerException = modelled('InvalidMarkerException');
export const MalformedPolicyDocumentException = modelled('MalformedPolicyDocumentException');
export const LimitExceededException = modelled('LimitExceededException');
export const InvalidGrantTokenException = modelled('InvalidGrantTokenException');
/** The DryRun answer: the request would have succeeded. */
export const DryRunOperationException = modelled('DryRunOperationException');
/** Another change to the key (a rotation) happened at the same time. */
export const ConflictException = modelled('ConflictException');
