/**
 * CodeConnections' modelled exceptions, named as in its service model
 * (models/codeconnections/2023-12-01/service-2.json), so that the AWS CLI and SDKs map them to
 * their own exception classes. Lockstep's connection operations raise the same ones.
 */
import { LockstepError } from '../errors/lockstep-error.js';

function modelled(code: string) {
  return class extends LockstepError {
    constructor(message: string, options?: { cause?: unknown }) {
      super(code, message, options);
    }
  };
}

export const ResourceAlreadyExistsException = modelled('ResourceAlreadyExistsException');
export const ResourceNotFoundException = modelled('ResourceNotFoundException');
export const ResourceUnavailableException = modelled('ResourceUnavailableException');
export const InvalidInputException = modelled('InvalidInputException');
