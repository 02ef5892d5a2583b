/**
 * The HTTP face of Lockstep, on Fastify: `GET /health`, the JSON 1.1 and Query endpoint
 * `POST /`, and the S3 REST API on every other path. Fastify only moves bytes here; everything
 * AWS-shaped happens in json-protocol.ts, which needs the raw body because SigV4 signs its
 * exact bytes, and in s3/s3-protocol.ts, which streams it.
 */
import { readFile } from 'node:fs/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  InternalFailure,
  LockstepError,
  RequestEntityTooLargeException,
  SerializationException,
} from '../errors/lockstep-error.js';
import { renderError } from './error-response.js';
import type { JsonProtocol } from './json-protocol.js';
import type { QueryProtocol } from './query/query-protocol.js';
import type { S3Protocol } from './s3/s3-protocol.js';

export interface HttpServerOptions {
  maxBodyBytes: number;
  tls: { certPath: string; keyPath: string } | undefined;
  health(): Promise<Record<string, unknown>>;
  logError(message: string, error: unknown): void;
  /** The S3 REST API, served on every path but `/` and `/health`. */
  s3?: S3Protocol;
}

/** Builds the Fastify app; the caller listens and closes it. */
export async function createHttpServer(
  protocol: JsonProtocol,
  queryProtocol: QueryProtocol,
  options: HttpServerOptions,
): Promise<FastifyInstance> {
  const https = options.tls
    ? {
        cert: await readFile(options.tls.certPath),
        key: await readFile(options.tls.keyPath),
        // TLS 1.2 or later only (issue A): older versions have known downgrade attacks.
        minVersion: 'TLSv1.2' as const,
      }
    : null;
  const app = Fastify({
    logger: false,
    bodyLimit: options.maxBodyBytes,
    https,
    return503OnClosing: true,
  }) as unknown as FastifyInstance;
  // Every content type is read as raw bytes: SigV4 hashes them, and the protocol parses JSON.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // Once closing, every response says `Connection: close`, so a keep-alive client whose
  // request was in flight lets go at once instead of holding shutdown for its idle timeout.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });
  app.get('/health', async () => ({ status: 'ok', ...(await options.health()) }));
  app.post('/', async (req, reply) => {
    // JSON 1.1 names its operation in X-Amz-Target; the Query protocol (IAM, STS) sends a
    // form with Action= instead.
    const contentType = String(req.headers['content-type'] ?? '');
    const isQuery =
      req.headers['x-amz-target'] === undefined &&
      contentType.startsWith('application/x-www-form-urlencoded');
    const response = await (isQuery ? queryProtocol : protocol).handle({
      headers: req.headers,
      url: req.raw.url ?? '/',
      method: req.method,
      body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      sourceIp: req.ip,
      secure: req.protocol === 'https',
    });
    // A Buffer, not a string: Fastify would append `; charset=utf-8` to a string's content
    // type, and AWS sends `application/x-amz-json-1.1` bare.
    return reply
      .code(response.statusCode)
      .headers(response.headers)
      .send(Buffer.from(response.body, 'utf8'));
  });
  if (options.s3) {
    serveS3(
      app,
      options.s3,
      () => closing,
      (message, error) => options.logError(message, error),
    );
  }
  app.setNotFoundHandler((req, reply) => {
    const error = new LockstepError(
      'UnknownOperationException',
      `No resource at ${req.method} ${req.url}; AWS JSON calls are POST / with X-Amz-Target.`,
    );
    sendError(reply, error, 404);
  });
  app.setErrorHandler(
    (error: { code?: string; statusCode?: number; message: string }, _req, reply) => {
      // Fastify's own body errors are the caller's; json-protocol.ts answers everything else,
      // so anything more reaching here is a bug in Lockstep and is logged as one.
      sendError(reply, bodyError(error, options));
    },
  );
  return app;
}

/**
 * Routes `/<bucket>[/<key>]` to the S3 API. The request is taken over before Fastify reads its
 * body: an upload may be gigabytes of any content type, streamed to disk as it arrives, so
 * neither the 2 MiB body limit nor a content-type parser may touch it.
 */
function serveS3(
  app: FastifyInstance,
  s3: S3Protocol,
  closing: () => boolean,
  logError: HttpServerOptions['logError'],
): void {
  app.route({
    method: ['GET', 'HEAD', 'PUT', 'DELETE', 'POST'],
    url: '/*',
    exposeHeadRoute: false,
    onRequest: (req, reply) => {
      reply.hijack();
      const connection = { sourceIp: req.ip, secure: req.protocol === 'https', closing };
      s3.serve(req.raw, reply.raw, connection).catch((error: unknown) => {
        logError('unexpected error in the S3 API', error);
        reply.raw.destroy();
      });
    },
    handler: () => undefined,
  });
}

function bodyError(
  error: { code?: string; statusCode?: number; message: string },
  options: HttpServerOptions,
): LockstepError {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new RequestEntityTooLargeException(
      `The request body is larger than ${options.maxBodyBytes} bytes.`,
    );
  }
  if (error.statusCode !== undefined && error.statusCode < 500) {
    return new SerializationException(`The request could not be read: ${error.message}`);
  }
  options.logError('unexpected error in the HTTP layer', error);
  return new InternalFailure('An internal error occurred; the server log has the details.');
}

function sendError(
  reply: { code(n: number): { headers(h: Record<string, string>): { send(b: Buffer): unknown } } },
  error: LockstepError,
  status?: number,
): void {
  const rendered = renderError(error);
  reply
    .code(status ?? rendered.statusCode)
    .headers(rendered.headers)
    .send(Buffer.from(rendered.body, 'utf8'));
}
