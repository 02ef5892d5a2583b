/**
 * The validate step of the JSON protocol: each service's AWS model, loaded once from models/,
 * checks every input and keeps only modelled members. The same loaded model tells the audit
 * step which members are sensitive.
 */
import path from 'node:path';
import { findPackageRoot } from '../server/version.js';
import type { ValidateInput } from './json-protocol.js';
import { ServiceModel } from './model/service-model.js';
import type { JsonService } from './operation.js';

const loaded = new Map<string, ServiceModel>();

/** The model of a JSON service, read from models/ on first use and kept. */
export function serviceModelOf(service: Pick<JsonService, 'model'>): ServiceModel {
  let model = loaded.get(service.model);
  if (model === undefined) {
    const file = path.join(findPackageRoot(), 'models', service.model, 'service-2.json');
    model = ServiceModel.load(file);
    loaded.set(service.model, model);
  }
  return model;
}

/** Loads the models of `services` and returns the validator over them. */
export function createModelValidator(services: readonly JsonService[]): ValidateInput {
  for (const service of services) {
    const model = serviceModelOf(service);
    for (const name of service.operations.keys()) {
      // A table entry without a modelled operation is a programming error; fail at start.
      if (!model.hasOperation(name)) throw new Error(`${service.model} has no operation ${name}`);
    }
  }
  return (service, operation, raw) => serviceModelOf(service).parseInput(operation, raw);
}
