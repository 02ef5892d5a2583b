import { readFileSync } from 'node:fs';
import {
  SerializationException,
  UnknownOperationException,
  ValidationException,
} from '../../errors/lockstep-error.js';
import { assertModelJson } from './model-json.js';
import type { ModelJson, ModelMetadataJson, OperationJson } from './model-json.js';
import { hideSensitive } from './hide-sensitive.js';
import { parseValue } from './parse-value.js';
import type { WalkContext } from './walk-context.js';
import { resolveShapes } from './resolve-shapes.js';
import type { Shape } from './shape.js';

/** One operation of a service: the names of its input, output and error shapes. */
export interface OperationInfo {
  name: string;
  inputShape: string | undefined;
  outputShape: string | undefined;
  errors: string[];
}

/**
 * A botocore JSON-protocol service model, loaded once, that checks request bodies the way
 * AWS does. `parseInput` keeps only modelled members: unknown members are dropped silently
 * (as AWS's JSON services do), so nothing unmodelled is ever stored or echoed back.
 */
export class ServiceModel {
  readonly metadata: Readonly<ModelMetadataJson>;
  /** The `X-Amz-Target` prefix (`CodePipeline_20150709`), when the protocol has one. */
  readonly targetPrefix: string | undefined;
  readonly operationNames: readonly string[];
  private readonly operations: ReadonlyMap<string, OperationInfo>;
  private readonly shapes: ReadonlyMap<string, Shape>;

  private constructor(json: ModelJson) {
    this.metadata = json.metadata;
    this.targetPrefix = json.metadata.targetPrefix;
    this.shapes = resolveShapes(json.shapes);
    this.operations = new Map(
      Object.entries(json.operations).map(([name, operation]) => [
        name,
        describeOperation(name, operation, this.shapes),
      ]),
    );
    this.operationNames = [...this.operations.keys()];
  }

  /** Reads and compiles a `service-2.json` file; throws if it is not a usable model. */
  static load(path: string | URL): ServiceModel {
    const json: unknown = JSON.parse(readFileSync(path, 'utf8'));
    assertModelJson(json, String(path));
    return new ServiceModel(json);
  }

  /** Compiles an already-parsed service model. */
  static fromJson(json: unknown, source = 'model'): ServiceModel {
    assertModelJson(json, source);
    return new ServiceModel(json);
  }

  /** Whether the model declares this operation (exact, case-sensitive name). */
  hasOperation(name: string): boolean {
    return this.operations.has(name);
  }

  /** The operation's input, output and error shape names, or undefined if not modelled. */
  operation(name: string): OperationInfo | undefined {
    return this.operations.get(name);
  }

  /** The resolved shape of this name, for code that renders or inspects shapes. */
  shape(name: string): Shape | undefined {
    return this.shapes.get(name);
  }

  /**
   * The operation's input or output as the audit trail may keep it: every value of a shape the
   * model marks sensitive replaced by CloudTrail's placeholder (hide-sensitive.ts).
   */
  hideSensitive(operationName: string, direction: 'input' | 'output', value: unknown): unknown {
    const operation = this.operations.get(operationName);
    const shapeName = direction === 'input' ? operation?.inputShape : operation?.outputShape;
    const shape = shapeName === undefined ? undefined : this.shapes.get(shapeName);
    return shape === undefined ? value : hideSensitive(shape, value);
  }

  /**
   * Checks a decoded JSON request body against the operation's input shape and returns it with
   * only modelled members. Throws SerializationException for a wrong JSON type and
   * ValidationException listing every constraint violation. An absent body counts as `{}`.
   */
  parseInput(operationName: string, body: unknown): Record<string, unknown> {
    const operation = this.operations.get(operationName);
    if (operation === undefined) {
      throw new UnknownOperationException(`Operation ${operationName} is not supported.`);
    }
    const input = body === undefined ? {} : body;
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new SerializationException('The request body is not a valid JSON object');
    }
    const shape =
      operation.inputShape === undefined ? undefined : this.shapes.get(operation.inputShape);
    if (shape === undefined) return {};
    const context: WalkContext = { violations: [], depth: 0 };
    const parsed = parseValue(shape, input, '', shape.sensitive, context) as Record<
      string,
      unknown
    >;
    const count = context.violations.length;
    if (count > 0) {
      const noun = count === 1 ? 'error' : 'errors';
      throw new ValidationException(
        `${count} validation ${noun} detected: ${context.violations.join('; ')}`,
      );
    }
    return parsed;
  }
}

/** Names an operation's shapes, refusing a model whose operation points at a missing shape. */
function describeOperation(
  name: string,
  operation: OperationJson,
  shapes: ReadonlyMap<string, Shape>,
): OperationInfo {
  const errors = operation.errors ?? [];
  for (const ref of [operation.input, operation.output, ...errors]) {
    if (ref !== undefined && !shapes.has(ref.shape)) {
      throw new Error(`Operation ${name} refers to unknown shape ${ref.shape}`);
    }
  }
  return {
    name,
    inputShape: operation.input?.shape,
    outputShape: operation.output?.shape,
    errors: errors.map((ref) => ref.shape),
  };
}
