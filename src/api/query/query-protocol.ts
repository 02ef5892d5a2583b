/**
 * The AWS Query protocol (`POST /`, form-encoded `Action=GetUser&Version=2010-05-08&...`, XML
 * answers), as IAM and STS speak it. Every call takes the same single path as JSON 1.1:
 * authenticate → find the operation → authorize → validate → execute → audit. The service is
 * chosen by the `Version` parameter, since IAM and STS share one endpoint here while AWS gives
 * each its own host.
 */
import { asLockstepError, auditCall, callContext } from '../call-path.js';
import { randomUUID } from 'node:crypto';
import type { AuditTrail } from '../../audit/audit-trail.js';
import { InternalFailure, LockstepError } from '../../errors/lockstep-error.js';
import type { Authorize } from '../../iam/authorize.js';
import type { Principal } from '../../iam/principal.js';
import type { Authenticate, WireRequest, WireResponse } from '../json-protocol.js';
import type { Operation } from '../operation.js';
import type { ServerServices } from '../server-services.js';
import { decodeQueryInput } from './decode-query-input.js';
import { FormParams } from './form-params.js';
import { queryErrorCode } from './query-error-code.js';
import type { QueryModel } from './query-model.js';
import { readQueryAction } from './read-query-action.js';
import { renderQueryError } from './render-query-error.js';
import { renderQueryResponse } from './render-query-response.js';

/** One service spoken over the Query protocol; its `Version` is its model's apiVersion. */
export interface QueryService {
  signingName: string;
  /** CloudTrail's eventSource for the service (`iam.amazonaws.com`). */
  eventSource: string;
  model: QueryModel;
  operations: ReadonlyMap<string, Operation>;
}

export interface QueryProtocolDependencies {
  services: readonly QueryService[];
  authenticate: Authenticate;
  authorize: Authorize;
  audit: AuditTrail;
  serverServices: ServerServices;
  /** Where unexpected failures are reported with their stack; never sent to the caller. */
  logError(message: string, error: unknown): void;
}

interface CallState {
  requestId: string;
  service: QueryService;
  operationName: string;
  operation?: Operation;
  principal?: Principal;
  input?: unknown;
  output?: unknown;
  resourceArn?: string;
}

export class QueryProtocol {
  private readonly byVersion: Map<string, QueryService>;
  private readonly fallback: QueryService;

  constructor(private readonly deps: QueryProtocolDependencies) {
    const [first] = deps.services;
    if (first === undefined) throw new Error('QueryProtocol needs at least one service');
    this.fallback = first;
    this.byVersion = new Map();
    for (const service of deps.services) {
      const version = service.model.apiVersion;
      // Version is the only thing telling services apart on one endpoint; refuse ambiguity.
      if (this.byVersion.has(version)) throw new Error(`two Query services use version ${version}`);
      for (const name of service.operations.keys()) {
        if (!service.model.service.hasOperation(name)) {
          throw new Error(`${service.signingName} model has no operation ${name}`);
        }
      }
      this.byVersion.set(version, service);
    }
  }

  /** Serves one Query request from start to audit record. */
  async handle(request: WireRequest): Promise<WireResponse> {
    const params = FormParams.decode(request.body);
    const state: CallState = {
      requestId: randomUUID(),
      // An unknown Version still needs a service to authenticate against and to answer
      // InvalidAction in the words of; the first one stands in.
      service: this.byVersion.get(params.get('Version') ?? '') ?? this.fallback,
      operationName: params.get('Action') ?? '',
    };
    let body: string | undefined;
    let failure: LockstepError | undefined;
    try {
      body = await this.run(request, params, state);
    } catch (error) {
      failure = asLockstepError(error, state.requestId, (m, e) => this.deps.logError(m, e));
    }
    await auditCall(
      this.deps,
      request,
      { ...state, eventSource: state.service.eventSource, model: state.service.model.service },
      failure,
    );
    if (failure !== undefined || body === undefined) {
      return this.renderFailure(failure, state);
    }
    return {
      statusCode: 200,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': state.requestId },
      body,
    };
  }

  private async run(request: WireRequest, params: FormParams, state: CallState): Promise<string> {
    const { service } = state;
    // Authenticate before anything else, so an unsigned caller learns nothing, not even
    // which operations exist.
    state.principal = await this.deps.authenticate(request, service.signingName);
    const { operation: name } = readQueryAction(params, service.model);
    const operation = service.operations.get(name);
    if (operation === undefined) {
      throw new LockstepError('InvalidAction', `Operation ${name} is not supported by Lockstep.`);
    }
    state.operation = operation;
    const raw = decodeQueryInput(params, service.model, name);
    // Kept for the audit record, allowed or refused: the resource the call is about.
    state.resourceArn = await operation.resourceArn(raw, this.deps.serverServices);
    await this.deps.authorize({
      principal: state.principal,
      action: operation.iamAction,
      resourceArn: state.resourceArn,
      sourceIp: request.sourceIp,
      secureTransport: request.secure,
    });
    state.input = service.model.parseInput(name, raw);
    const output = await operation.handle(
      state.input,
      callContext(this.deps, request, state.principal, state.requestId),
    );
    state.output = output;
    return renderQueryResponse(service.model, name, output, state.requestId);
  }

  private renderFailure(failure: LockstepError | undefined, state: CallState): WireResponse {
    const error = failure ?? new InternalFailure('An internal error occurred.');
    const { model } = state.service;
    const { code, status, senderFault } = queryErrorCode(error, model);
    return renderQueryError(
      code,
      error.message,
      state.requestId,
      senderFault,
      status,
      model.xmlNamespace,
    );
  }
}
