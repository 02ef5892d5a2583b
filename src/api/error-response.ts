/**
 * The one place a domain error becomes HTTP (STYLE.md): status from the error's fault and
 * code, body `{"__type","message"}` plus the `x-amzn-ErrorType` header. botocore reads only the
 * body, the JavaScript SDK either, so both are always sent.
 */
import type { LockstepError } from '../errors/lockstep-error.js';

export interface ErrorResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

// Codes whose status differs from their fault's default, as AWS sends them.
const STATUS_BY_CODE: Record<string, number> = {
  MissingAuthenticationTokenException: 403,
  RequestEntityTooLargeException: 413,
  AccessDeniedException: 400,
};

const STATUS_BY_FAULT = { client: 400, auth: 400, throttle: 400, server: 500 } as const;

/** Renders an error in AWS JSON 1.1 form. */
export function renderError(error: LockstepError): ErrorResponse {
  return {
    statusCode: STATUS_BY_CODE[error.code] ?? STATUS_BY_FAULT[error.fault],
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-errortype': error.code,
    },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}
