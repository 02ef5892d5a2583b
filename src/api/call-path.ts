/**
 * The steps every protocol's call path shares (JSON 1.1 in json-protocol.ts, Query in
 * query/query-protocol.ts): turning an unexpected failure into InternalFailure, the context an
 * operation runs with, and the audit record written for every call, allowed or refused.
 */
import type { AuditTrail } from '../audit/audit-trail.js';
import { InternalFailure, LockstepError } from '../errors/lockstep-error.js';
import type { Authorize } from '../iam/authorize.js';
import type { Principal } from '../iam/principal.js';
import type { ServiceModel } from './model/service-model.js';
import type { WireRequest } from './json-protocol.js';
import type { CallContext, Operation } from './operation.js';
import type { ServerServices } from './server-services.js';

export type LogError = (message: string, error: unknown) => void;

/** What a call path knows about one call by the time it is audited. */
export interface CallRecord {
  requestId: string;
  eventSource: string;
  operationName: string;
  operation?: Operation;
  principal?: Principal;
  input?: unknown;
  /** What the operation returned, when it succeeded. */
  output?: unknown;
  /** The ARN the call was authorized on, once it was computed. */
  resourceArn?: string;
  /** The service model's view of what may be kept (hide-sensitive.ts), when it is known. */
  model?: Pick<ServiceModel, 'hideSensitive'>;
}

/** A LockstepError as is; anything else is a bug, logged and answered as InternalFailure. */
export function asLockstepError(
  error: unknown,
  requestId: string,
  logError: LogError,
): LockstepError {
  if (error instanceof LockstepError) return error;
  logError(`request ${requestId} failed unexpectedly`, error);
  return new InternalFailure(
    `An internal error occurred; the server log has the details under request id ${requestId}.`,
  );
}

/** The context an operation runs with, able to authorize further actions it implies. */
export function callContext(
  deps: { authorize: Authorize; serverServices: ServerServices },
  request: WireRequest,
  principal: Principal,
  requestId: string,
): CallContext {
  return {
    principal,
    requestId,
    services: deps.serverServices,
    authorizeAlso: (action, resourceArn) =>
      deps.authorize({
        principal,
        action,
        resourceArn,
        sourceIp: request.sourceIp,
        secureTransport: request.secure,
      }),
  };
}

/**
 * Writes the call's audit record; a failure to write is logged, never thrown at the caller.
 * As CloudTrail does, the record keeps the request parameters of every call and the response
 * elements of calls that changed something, both with every sensitive member hidden.
 */
export async function auditCall(
  deps: { audit: AuditTrail; serverServices: ServerServices; logError: LogError },
  request: WireRequest,
  call: CallRecord,
  failure: LockstepError | undefined,
): Promise<void> {
  const { operation, model } = call;
  const hide = (direction: 'input' | 'output', value: unknown) =>
    operation && model ? model.hideSensitive(operation.name, direction, value) : value;
  try {
    let parameters: unknown = null;
    if (operation && call.input !== undefined) {
      parameters = hide(
        'input',
        operation.auditParameters
          ? await operation.auditParameters(call.input, deps.serverServices)
          : call.input,
      );
    }
    const changedSomething = operation !== undefined && !operation.readOnly;
    const responseElements =
      changedSomething && failure === undefined && call.output !== undefined
        ? hide('output', await auditedResponse(operation, call.output, deps.serverServices))
        : null;
    await deps.audit.recordCall({
      eventSource: call.eventSource,
      eventName: operation?.name ?? (call.operationName || 'Unknown'),
      requestId: call.requestId,
      principalArn: call.principal?.arn ?? null,
      accessKeyId: call.principal?.accessKeyId ?? null,
      sourceIpAddress: request.sourceIp,
      userAgent: request.headers['user-agent'] ?? '',
      readOnly: operation?.readOnly ?? false,
      requestParameters: parameters,
      responseElements,
      error: failure ? { code: failure.code, message: failure.message } : null,
      ...(call.resourceArn === undefined ? {} : { resourceArn: call.resourceArn }),
    });
  } catch (error) {
    deps.logError(`audit record for request ${call.requestId} could not be written`, error);
  }
}

/** The response as the operation lets the trail keep it; an empty output is recorded as null. */
async function auditedResponse(
  operation: Operation,
  output: unknown,
  services: ServerServices,
): Promise<unknown> {
  const kept = operation.auditResponse ? await operation.auditResponse(output, services) : output;
  const empty = typeof kept === 'object' && kept !== null && Object.keys(kept).length === 0;
  return empty ? null : kept;
}
