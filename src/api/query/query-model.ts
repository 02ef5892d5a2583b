/**
 * A Query-protocol service model (IAM, STS): the ServiceModel that validates input, plus the
 * XML traits it drops, plus the version and namespace every request and response carries.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findPackageRoot } from '../../server/version.js';
import { assertModelJson } from '../model/model-json.js';
import type { ModelJson } from '../model/model-json.js';
import { ServiceModel } from '../model/service-model.js';
import type { Shape, StructureShape } from '../model/shape.js';
import { QueryInputValidator } from './query-input-validator.js';
import { QueryTraits } from './query-traits.js';
import type { XmlModelJson } from './query-traits.js';

export class QueryModel {
  /** The `Version` parameter every request must carry (`2010-05-08`). */
  readonly apiVersion: string;
  /** The `xmlns` of every response and error (`https://iam.amazonaws.com/doc/2010-05-08/`). */
  readonly xmlNamespace: string;
  readonly service: ServiceModel;
  readonly traits: QueryTraits;
  private readonly validator: QueryInputValidator;

  private constructor(json: ModelJson, source: string) {
    const { apiVersion, protocol, xmlNamespace } = (json as unknown as XmlModelJson).metadata;
    // EC2's protocol looks similar but names parameters differently; refuse it rather than
    // answer it subtly wrong.
    if (protocol !== 'query') throw new Error(`${source} is a ${protocol} model, not query`);
    if (apiVersion === undefined || xmlNamespace === undefined) {
      throw new Error(`${source} has no apiVersion or xmlNamespace`);
    }
    this.apiVersion = apiVersion;
    this.xmlNamespace = xmlNamespace;
    this.service = ServiceModel.fromJson(json, source);
    this.traits = new QueryTraits(json);
    this.validator = new QueryInputValidator(json, source);
  }

  /** Reads and compiles a Query-protocol `service-2.json`; throws if it is not one. */
  static load(file: string): QueryModel {
    return QueryModel.fromJson(JSON.parse(readFileSync(file, 'utf8')), file);
  }

  /** Loads a model kept under models/ by its folder, e.g. `iam/2010-05-08`. */
  static bundled(folder: string): QueryModel {
    return QueryModel.load(path.join(findPackageRoot(), 'models', folder, 'service-2.json'));
  }

  /** Compiles an already-parsed Query-protocol model. */
  static fromJson(json: unknown, source = 'model'): QueryModel {
    assertModelJson(json, source);
    return new QueryModel(json, source);
  }

  /** The operation's input structure, or undefined when it takes no input. */
  inputShape(operation: string): StructureShape | undefined {
    return this.structure(this.service.operation(operation)?.inputShape);
  }

  /** The operation's output structure, or undefined when it returns nothing. */
  outputShape(operation: string): StructureShape | undefined {
    return this.structure(this.service.operation(operation)?.outputShape);
  }

  /** Validates decoded input as AWS's Query services do; returns only modelled members. */
  parseInput(operation: string, decoded: Record<string, unknown>): Record<string, unknown> {
    return this.validator.validate(operation, this.inputShape(operation), decoded);
  }

  private structure(name: string | undefined): StructureShape | undefined {
    const shape: Shape | undefined = name === undefined ? undefined : this.service.shape(name);
    return shape?.type === 'structure' ? shape : undefined;
  }
}
