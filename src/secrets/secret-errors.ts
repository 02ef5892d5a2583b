/**
 * Secrets Manager's modelled exceptions, named as in
 * models/secretsmanager/2017-10-17/service-2.json so that boto3 and the SDKs map them to their
 * own classes, and the messages AWS gives for the common cases.
 */
import { named } from '../errors/lockstep-error.js';

export const ResourceNotFoundException = named('ResourceNotFoundException');
export const InvalidRequestException = named('InvalidRequestException');
export const InvalidParameterException = named('InvalidParameterException');
export const ResourceExistsException = named('ResourceExistsException');
export const LimitExceededException = named('LimitExceededException');
export const EncryptionFailure = named('EncryptionFailure');
export const DecryptionFailure = named('DecryptionFailure');

/** AWS's message when a secret id names no secret. */
export const SECRET_NOT_FOUND = "Secrets Manager can't find the specified secret.";

/** AWS's message for a call on a secret scheduled for deletion. */
export const MARKED_FOR_DELETION =
  "You can't perform this operation on the secret because it was marked for deletion.";

/** The error for a secret id that names no secret. */
export function secretNotFound(): InstanceType<typeof ResourceNotFoundException> {
  return new ResourceNotFoundException(SECRET_NOT_FOUND);
}

/** A failure on Lockstep's side that the caller may retry. */
export const InternalServiceError = named('InternalServiceError', 'server');
export const MalformedPolicyDocumentException = named('MalformedPolicyDocumentException');
export const PublicPolicyException = named('PublicPolicyException');
