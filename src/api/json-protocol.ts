/**
 * AWS JSON 1.1 (`POST /`, `X-Amz-Target: <Prefix>.<Operation>`): the single path every call
 * takes — authenticate (SigV4) → authorize (IAM action and resource) → validate (the service
 * model) → execute → audit. No operation can skip a step because operations never see the
 * request; they only get validated input.
 */
import { asLockstepError, auditCall, callContext } from './call-path.js';
import { serviceModelOf } from './model-validator.js';
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { Authorize } from '../iam/authorize.js';
import type { Principal } from '../iam/principal.js';
import {
  SerializationException,
  UnknownOperationException,
  type LockstepError,
} from '../errors/lockstep-error.js';
import { renderError } from './error-response.js';
import type { JsonService, Operation } from './operation.js';
import type { ServerServices } from './server-services.js';
import { toWireJson } from './wire-json.js';

export interface WireRequest {
  headers: IncomingHttpHeaders;
  /** The raw path with its query string, exactly as received (SigV4 signs it). */
  url: string;
  method: string;
  body: Buffer;
  sourceIp: string;
  /** Whether the request came over TLS (aws:SecureTransport). */
  secure: boolean;
}

export interface WireResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** Checks a request's signature and says who sent it; throws an auth error otherwise. */
export type Authenticate = (request: WireRequest, signingName: string) => Promise<Principal>;

/** Validates a raw input against the service model; returns only modelled members. */
export type ValidateInput = (service: JsonService, operation: string, raw: unknown) => unknown;

export interface JsonProtocolDependencies {
  services: readonly JsonService[];
  authenticate: Authenticate;
  authorize: Authorize;
  validate: ValidateInput;
  audit: AuditTrail;
  serverServices: ServerServices;
  /** Where unexpected failures are reported with their stack; never sent to the caller. */
  logError(message: string, error: unknown): void;
}

interface CallState {
  requestId: string;
  service: JsonService | undefined;
  operationName: string;
  operation?: Operation;
  principal?: Principal;
  input?: unknown;
  resourceArn?: string;
}

export class JsonProtocol {
  private readonly byPrefix: Map<string, JsonService>;

  constructor(private readonly deps: JsonProtocolDependencies) {
    this.byPrefix = new Map(deps.services.map((s) => [s.targetPrefix, s]));
  }

  /** Serves one JSON 1.1 request from start to audit record. */
  async handle(request: WireRequest): Promise<WireResponse> {
    const target = headerValue(request.headers['x-amz-target']) ?? '';
    // The last dot: some target prefixes have dots of their own
    // (com.amazonaws.codeconnections.CodeConnections_20231201); operation names never do.
    const dot = target.lastIndexOf('.');
    const state: CallState = {
      requestId: randomUUID(),
      service: this.byPrefix.get(dot < 0 ? target : target.slice(0, dot)),
      operationName: dot < 0 ? '' : target.slice(dot + 1),
    };
    let output: unknown;
    let failure: LockstepError | undefined;
    try {
      output = await this.run(request, state);
    } catch (error) {
      failure = asLockstepError(error, state.requestId, (m, e) => this.deps.logError(m, e));
    }
    await auditCall(
      this.deps,
      request,
      {
        ...state,
        eventSource: state.service?.eventSource ?? 'unknown',
        output,
        model: state.service && serviceModelOf(state.service),
      },
      failure,
    );
    const response = failure
      ? renderError(failure)
      : {
          statusCode: 200,
          headers: { 'content-type': 'application/x-amz-json-1.1' },
          body: toWireJson(output),
        };
    response.headers['x-amzn-requestid'] = state.requestId;
    return response;
  }

  private async run(request: WireRequest, state: CallState): Promise<unknown> {
    // Authenticate before anything else, so an unsigned caller learns nothing, not even
    // which operations exist.
    const signingName = state.service?.signingName ?? 'codepipeline';
    state.principal = await this.deps.authenticate(request, signingName);
    const operation = state.service?.operations.get(state.operationName);
    if (!state.service || !operation) {
      const target = headerValue(request.headers['x-amz-target']);
      throw new UnknownOperationException(
        target ? `Operation ${target} is not supported.` : 'Missing the X-Amz-Target header.',
      );
    }
    state.operation = operation;
    const raw = parseBody(request.body);
    // Kept for the audit record, allowed or refused: the resource the call is about.
    state.resourceArn = await operation.resourceArn(raw, this.deps.serverServices);
    await this.deps.authorize({
      principal: state.principal,
      action: operation.iamAction,
      resourceArn: state.resourceArn,
      sourceIp: request.sourceIp,
      secureTransport: request.secure,
    });
    state.input = this.deps.validate(state.service, operation.name, raw);
    return operation.handle(
      state.input,
      callContext(this.deps, request, state.principal, state.requestId),
    );
  }
}

function parseBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new SerializationException(
      `The request body is not valid JSON: ${(error as Error).message}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SerializationException('The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

/** The first value of a header that may repeat. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
