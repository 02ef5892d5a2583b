/**
 * The `Action` and `Version` of a Query request, checked against a service model in the order
 * and words IAM and STS use: `InvalidAction: Could not find operation GetUser for version
 * 2010-05-09`, with `NO_VERSION_SPECIFIED` when Version is absent.
 */
import { LockstepError } from '../../errors/lockstep-error.js';
import type { FormParams } from './form-params.js';
import type { QueryModel } from './query-model.js';

export interface QueryAction {
  operation: string;
  version: string;
}

/** Returns the request's operation and version, or throws MissingAction / InvalidAction. */
export function readQueryAction(params: FormParams, model: QueryModel): QueryAction {
  const operation = params.get('Action');
  if (operation === undefined || operation === '') {
    throw new LockstepError('MissingAction', 'The request must contain the parameter Action.');
  }
  const version = params.get('Version');
  if (version !== model.apiVersion || !model.service.hasOperation(operation)) {
    throw new LockstepError(
      'InvalidAction',
      `Could not find operation ${operation} for version ${version ?? 'NO_VERSION_SPECIFIED'}`,
    );
  }
  return { operation, version };
}
