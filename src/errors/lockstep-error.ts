/**
 * The one base class for errors that reach a caller. Each subclass is named exactly as the AWS
 * exception it stands for; `code` is the wire name rendered as `__type`. Domain code never
 * mentions HTTP: `api/` maps `fault` to a status in one place.
 */
export type ErrorFault = 'client' | 'auth' | 'throttle' | 'server';

export class LockstepError extends Error {
  /** The exception name on the wire (`__type` and `x-amzn-ErrorType`). */
  readonly code: string;
  /** Whose fault it is; `api/` turns this into an HTTP status. */
  readonly fault: ErrorFault;

  constructor(code: string, message: string, options?: { cause?: unknown; fault?: ErrorFault }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = code;
    this.code = code;
    this.fault = options?.fault ?? 'client';
  }
}

/** Declares a LockstepError subclass whose code is its own class name. */
export function named(code: string, fault: ErrorFault = 'client') {
  return class extends LockstepError {
    constructor(message: string, options?: { cause?: unknown }) {
      super(code, message, { ...options, fault });
    }
  };
}

// Protocol and authentication errors shared by every AWS JSON service.
export const ValidationException = named('ValidationException');
export const SerializationException = named('SerializationException');
export const UnknownOperationException = named('UnknownOperationException');
export const InvalidSignatureException = named('InvalidSignatureException', 'auth');
export const IncompleteSignatureException = named('IncompleteSignatureException', 'auth');
export const MissingAuthenticationTokenException = named(
  'MissingAuthenticationTokenException',
  'auth',
);
export const UnrecognizedClientException = named('UnrecognizedClientException', 'auth');
export const ExpiredTokenException = named('ExpiredTokenException', 'auth');
export const AccessDeniedException = named('AccessDeniedException', 'auth');
export const RequestEntityTooLargeException = named('RequestEntityTooLargeException');
export const InternalFailure = named('InternalFailure', 'server');
