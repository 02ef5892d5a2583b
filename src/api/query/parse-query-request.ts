/**
 * One Query request body, start to finish without HTTP: form → Action and Version → input
 * object → validated against the model. QueryProtocol runs the same steps with authorization
 * between decoding and validation.
 */
import { decodeQueryInput } from './decode-query-input.js';
import { FormParams } from './form-params.js';
import type { QueryModel } from './query-model.js';
import { readQueryAction } from './read-query-action.js';

export interface QueryRequest {
  operation: string;
  version: string;
  input: Record<string, unknown>;
}

/**
 * Parses and validates a form-encoded Query body; throws MissingAction, InvalidAction,
 * ValidationException or SerializationException (see query-error-code.ts for their wire codes).
 */
export function parseQueryRequest(body: Buffer, model: QueryModel): QueryRequest {
  const params = FormParams.decode(body);
  const { operation, version } = readQueryAction(params, model);
  const decoded = decodeQueryInput(params, model, operation);
  return { operation, version, input: model.parseInput(operation, decoded) };
}
