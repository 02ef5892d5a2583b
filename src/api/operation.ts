/**
 * An operation of the wire API: what it is called, which IAM action and resource it needs,
 * and what it does. Every operation of every service is one of these, and all of them take
 * the same path in json-protocol.ts: authenticate → authorize → validate → execute → audit.
 */
import type { Principal } from '../iam/principal.js';
import type { ServerServices } from './server-services.js';

export interface CallContext {
  principal: Principal;
  requestId: string;
  services: ServerServices;
  /**
   * Authorizes a further action this call implies (iam:PassRole for the roles a declaration
   * names), through the same hook as the call itself.
   */
  authorizeAlso: (action: string, resourceArn: string) => Promise<void>;
}

export interface Operation {
  /** The operation name, as in the service model (`GetPipeline`). */
  name: string;
  /** The IAM action the caller must be allowed (`codepipeline:GetPipeline`). */
  iamAction: string;
  /** Read-only calls are marked so in the audit trail, as CloudTrail does. */
  readOnly: boolean;
  /**
   * The resource ARN the action is on. It sees the raw, not yet validated input, because
   * authorization comes before validation; it must not trust its shape. It may look the
   * resource up (a secret's ARN ends in a random suffix its name does not tell).
   */
  resourceArn(
    rawInput: Record<string, unknown>,
    services: ServerServices,
  ): string | Promise<string>;
  /** Runs the operation on validated input and returns the output shape. */
  handle(input: unknown, context: CallContext): Promise<unknown>;
  /** The request parameters to audit, with secrets removed; defaults to the input. */
  auditParameters?(input: unknown, services: ServerServices): unknown;
  /**
   * The response elements to audit for a call that changed something, with secrets the model
   * does not mark sensitive removed; defaults to the output.
   */
  auditResponse?(output: unknown, services: ServerServices): unknown;
}

/** The typed form an operation is written in; the model validator guarantees `I`. */
export interface OperationDefinition<I> extends Omit<Operation, 'handle' | 'auditParameters'> {
  handle(input: I, context: CallContext): Promise<unknown>;
  auditParameters?(input: I, services: ServerServices): unknown;
}

/** Declares an operation whose input has the model's shape `I`. */
export function defineOperation<I>(definition: OperationDefinition<I>): Operation {
  // Method parameters are bivariant in TypeScript, so this needs no cast; it is sound because
  // json-protocol.ts validates every input against the model before handle() runs.
  return definition;
}

/** One service spoken over JSON 1.1: its target prefix, signing name and operations. */
export interface JsonService {
  targetPrefix: string;
  signingName: string;
  /** CloudTrail's eventSource for the service. */
  eventSource: string;
  /** The service model under models/, e.g. `codepipeline/2015-07-09`. */
  model: string;
  operations: ReadonlyMap<string, Operation>;
}

/** The string member of a raw input, or undefined; for resource ARNs before validation. */
export function rawString(input: Record<string, unknown>, ...path: string[]): string | undefined {
  let value: unknown = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' ? value : undefined;
}
