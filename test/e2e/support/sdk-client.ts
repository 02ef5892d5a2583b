/**
 * The real AWS SDK for JavaScript v3 pointed at a Lockstep server, and one way to assert the
 * error a call fails with: its wire name, the SDK's own exception class and the HTTP status.
 */
import { CodePipelineClient, CodePipelineServiceException } from '@aws-sdk/client-codepipeline';
import { expect } from 'vitest';

export interface ServerAddress {
  url: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** A client for `server`, with other credentials or region when a test needs them. */
export function codePipelineClient(
  server: ServerAddress,
  overrides: { credentials?: ServerAddress['credentials']; region?: string } = {},
): CodePipelineClient {
  return new CodePipelineClient({
    endpoint: server.url,
    region: overrides.region ?? server.region,
    credentials: overrides.credentials ?? server.credentials,
    // The SDK retries InvalidSignatureException as possible clock skew; one attempt keeps an
    // auth failure a single request, so what the test sees is what the server said.
    maxAttempts: 1,
  });
}

type ExceptionClass = abstract new (...args: never[]) => CodePipelineServiceException;

/**
 * Awaits `call`, which must fail with the exception named `name`, as an instance of `type` (the
 * SDK's class for a modelled error, CodePipelineServiceException otherwise), HTTP `status`.
 */
export async function expectServiceError(
  call: Promise<unknown>,
  name: string,
  type: ExceptionClass = CodePipelineServiceException,
  status = 400,
): Promise<CodePipelineServiceException> {
  const error: unknown = await call.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error, `expected ${name}, but the call succeeded`).toBeInstanceOf(type);
  const serviceError = error as CodePipelineServiceException;
  expect(serviceError.name).toBe(name);
  expect(serviceError.$metadata.httpStatusCode).toBe(status);
  expect(serviceError.message).not.toBe('');
  return serviceError;
}

/** Asserts `value` is a Date within a minute of now: epoch-seconds timestamps parsed right. */
export function expectRecentDate(value: unknown): void {
  expect(value).toBeInstanceOf(Date);
  expect(Math.abs((value as Date).getTime() - Date.now())).toBeLessThan(60_000);
}
