/**
 * IAM's errors by their Query-protocol codes (the `error.code` of each exception in the IAM
 * model), so that the AWS CLI and boto3 raise NoSuchEntityException and friends.
 */
import { LockstepError } from '../errors/lockstep-error.js';

function iamError(code: string) {
  return class extends LockstepError {
    constructor(message: string, options?: { cause?: unknown }) {
      super(code, message, options);
    }
  };
}

export const NoSuchEntity = iamError('NoSuchEntity');
export const EntityAlreadyExists = iamError('EntityAlreadyExists');
export const DeleteConflict = iamError('DeleteConflict');
export const LimitExceeded = iamError('LimitExceeded');
export const InvalidInput = iamError('InvalidInput');
