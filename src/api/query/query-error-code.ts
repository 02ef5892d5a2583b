/**
 * The one place a LockstepError gets its Query wire code and status. JSON services and Query
 * services name the same failures differently (ValidationException is IAM's ValidationError,
 * UnrecognizedClientException is InvalidClientTokenId), and a modelled error's status is the
 * model's `httpStatusCode` (NoSuchEntity 404, EntityAlreadyExists 409).
 */
import type { LockstepError } from '../../errors/lockstep-error.js';
import type { QueryModel } from './query-model.js';
import type { QueryErrorCode } from './query-traits.js';

const sender = (code: string, status: number): QueryErrorCode => ({
  code,
  status,
  senderFault: true,
});

// Errors every Query service shares, with the codes and statuses IAM and STS answer with.
const COMMON: Readonly<Record<string, QueryErrorCode>> = {
  UnrecognizedClientException: sender('InvalidClientTokenId', 403),
  InvalidSignatureException: sender('SignatureDoesNotMatch', 403),
  IncompleteSignatureException: sender('IncompleteSignature', 400),
  MissingAuthenticationTokenException: sender('MissingAuthenticationToken', 403),
  ExpiredTokenException: sender('ExpiredToken', 403),
  AccessDeniedException: sender('AccessDenied', 403),
  ValidationException: sender('ValidationError', 400),
  // Only a value of the wrong type reaches here (MaxItems=abc): a bad parameter value, which
  // Query services answer as a 400 ValidationError (AWS's exact code here is unconfirmed).
  SerializationException: sender('ValidationError', 400),
  UnknownOperationException: sender('InvalidAction', 400),
  InvalidAction: sender('InvalidAction', 400),
  MissingAction: sender('MissingAction', 400),
  RequestEntityTooLargeException: sender('RequestEntityTooLarge', 413),
  ThrottlingException: sender('Throttling', 400),
  InternalFailure: { code: 'InternalFailure', status: 500, senderFault: false },
};

const STATUS_BY_FAULT = { client: 400, auth: 403, throttle: 400, server: 500 } as const;

/** The wire code, HTTP status and fault of `error` for the service of `model`. */
export function queryErrorCode(
  error: LockstepError,
  model: QueryModel | undefined,
): QueryErrorCode {
  const common = Object.hasOwn(COMMON, error.code) ? COMMON[error.code] : undefined;
  const modelled = model?.traits.error(error.code);
  // An authentication failure keeps its common code even where the model declares an error of
  // the same name: STS's ExpiredTokenException is about a token in the input, not the caller's.
  const found = error.fault === 'auth' ? (common ?? modelled) : (modelled ?? common);
  return (
    found ?? {
      code: error.code,
      status: STATUS_BY_FAULT[error.fault],
      senderFault: error.fault !== 'server',
    }
  );
}
