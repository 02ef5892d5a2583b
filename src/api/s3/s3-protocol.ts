/**
 * The S3 REST API (path-style: `/<bucket>/<key>`), on the same single path as every other
 * protocol: authenticate (SigV4 for service `s3`, headers or presigned URL) → find the
 * operation (method, bucket or object, sub-resource) → authorize (its s3: action on the
 * bucket or object ARN) → execute → audit. Unlike JSON and Query, the body is never buffered:
 * an upload streams from the socket through its checks into the object store, and a download
 * streams back out.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AuditTrail } from '../../audit/audit-trail.js';
import { LockstepError } from '../../errors/lockstep-error.js';
import type { Authorize } from '../../iam/authorize.js';
import type { Principal } from '../../iam/principal.js';
import type { S3Authenticate } from '../authenticate.js';
import { asLockstepError, auditCall, callContext } from '../call-path.js';
import type { WireRequest } from '../json-protocol.js';
import type { ServerServices } from '../server-services.js';
import { renderS3Error } from './s3-error-response.js';
import type { S3Call, S3Operation, S3Reply } from './s3-operation.js';
import { readDocument, verifiedBody } from './s3-payload.js';
import { routeS3 } from './s3-routes.js';

export interface S3ProtocolDependencies {
  authenticate: S3Authenticate;
  authorize: Authorize;
  audit: AuditTrail;
  serverServices: ServerServices;
  /** Where unexpected failures are reported with their stack; never sent to the caller. */
  logError(message: string, error: unknown): void;
}

/** What the HTTP layer knows about a request beyond the request itself. */
export interface S3Connection {
  sourceIp: string;
  secure: boolean;
  /** True once the server is shutting down: answers then say `Connection: close`. */
  closing(): boolean;
}

interface CallState {
  requestId: string;
  operation?: S3Operation;
  principal?: Principal;
  call?: S3Call;
  reply?: S3Reply;
  resourceArn?: string;
}

export class S3Protocol {
  constructor(private readonly deps: S3ProtocolDependencies) {}

  /** Serves one S3 request from start to audit record, writing the answer to `res`. */
  async serve(req: IncomingMessage, res: ServerResponse, connection: S3Connection): Promise<void> {
    const state: CallState = { requestId: randomBytes(8).toString('hex').toUpperCase() };
    const wire: WireRequest = {
      headers: req.headers,
      url: req.url ?? '/',
      method: req.method ?? 'GET',
      body: Buffer.alloc(0),
      sourceIp: connection.sourceIp,
      secure: connection.secure,
    };
    let failure: LockstepError | undefined;
    try {
      await this.run(req, wire, state);
    } catch (error) {
      failure = asLockstepError(error, state.requestId, (m, e) => this.deps.logError(m, e));
    }
    await auditCall(
      this.deps,
      wire,
      {
        requestId: state.requestId,
        eventSource: 's3.amazonaws.com',
        operationName: state.operation?.name ?? '',
        ...(state.operation ? { operation: state.operation } : {}),
        ...(state.principal ? { principal: state.principal } : {}),
        ...(state.call ? { input: state.call } : {}),
        ...(state.reply ? { output: state.reply } : {}),
        ...(state.resourceArn === undefined ? {} : { resourceArn: state.resourceArn }),
      },
      failure,
    );
    await this.send(req, res, connection, state, failure);
  }

  private async run(req: IncomingMessage, wire: WireRequest, state: CallState): Promise<void> {
    const target = parseTarget(wire.url);
    // Authenticate before anything else: an unsigned caller learns nothing.
    const { principal, seed } = await this.deps.authenticate({
      method: wire.method,
      url: wire.url,
      headers: wire.headers,
    });
    state.principal = principal;
    const operation = routeS3(wire.method, target);
    state.operation = operation;
    const body = verifiedBody(req, wire.headers, seed);
    const call: S3Call = {
      method: wire.method,
      ...target,
      headers: wire.headers,
      body,
      readBody: () => readDocument(body),
    };
    state.call = call;
    // Kept for the audit record, allowed or refused: the bucket or object the call is about.
    state.resourceArn = await operation.resourceArn(target, this.deps.serverServices);
    await this.deps.authorize({
      principal,
      action: operation.iamAction,
      resourceArn: state.resourceArn,
      sourceIp: wire.sourceIp,
      secureTransport: wire.secure,
    });
    state.reply = await operation.handle(
      call,
      callContext(this.deps, wire, principal, state.requestId),
    );
  }

  private async send(
    req: IncomingMessage,
    res: ServerResponse,
    connection: S3Connection,
    state: CallState,
    failure: LockstepError | undefined,
  ): Promise<void> {
    const { statusCode, headers, body } = failure
      ? renderS3Error(
          failure,
          { method: req.method ?? 'GET', headers: req.headers },
          state.requestId,
        )
      : {
          statusCode: state.reply?.status ?? 200,
          headers: state.reply?.headers ?? {},
          body: state.reply?.body,
        };
    res.statusCode = statusCode;
    res.setHeader('x-amz-request-id', state.requestId);
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    // A body the operation never read (a refused upload) is not drained: the connection ends.
    if (connection.closing() || !req.complete) res.setHeader('connection', 'close');
    if (body instanceof Readable) {
      await pipeline(body, res).catch((error: unknown) => {
        // A client that hangs up mid-download is no news; bytes that failed a check are.
        if (error instanceof LockstepError) {
          this.deps.logError(`request ${state.requestId} failed while sending its body`, error);
        }
        res.destroy();
      });
      return;
    }
    const text = Buffer.from(body ?? '', 'utf8');
    if (text.length > 0 && !res.hasHeader('content-type'))
      res.setHeader('content-type', 'application/xml');
    if (!res.hasHeader('content-length') && statusCode !== 204) {
      res.setHeader('content-length', String(text.length));
    }
    res.end(text);
  }
}

/** The bucket, key and query of a path-style request target, percent-decoded. */
function parseTarget(url: string): {
  bucket: string;
  key: string;
  query: ReadonlyMap<string, string>;
} {
  const queryAt = url.indexOf('?');
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  const slash = path.indexOf('/', 1);
  const bucket = decode(slash < 0 ? path.slice(1) : path.slice(1, slash));
  const key = slash < 0 ? '' : decode(path.slice(slash + 1));
  if (!path.startsWith('/') || (bucket === '' && key !== '')) throw invalidUri();
  const query = new Map<string, string>();
  for (const part of queryAt < 0 ? [] : url.slice(queryAt + 1).split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    query.set(
      decode(equals < 0 ? part : part.slice(0, equals)),
      equals < 0 ? '' : decode(part.slice(equals + 1)),
    );
  }
  return { bucket, key, query };
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    throw invalidUri();
  }
}

function invalidUri(): LockstepError {
  return new LockstepError('InvalidURI', "Couldn't parse the specified URI.");
}
