/**
 * The validate step of the JSON protocol: each service's AWS model, loaded once at start from
 * models/, checks every input and keeps only modelled members.
 */
import path from 'node:path';
import { findPackageRoot } from '../server/version.js';
import type { ValidateInput } from './json-protocol.js';
import { ServiceModel } from './model/service-model.js';
import type { JsonService } from './operation.js';

/** Loads the models of `services` and returns the validator over them. */
export function createModelValidator(services: readonly JsonService[]): ValidateInput {
  const modelsDir = path.join(findPackageRoot(), 'models');
  const models = new Map<string, ServiceModel>();
  for (const service of services) {
    const model = ServiceModel.load(path.join(modelsDir, service.model, 'service-2.json'));
    for (const name of service.operations.keys()) {
      // A table entry without a modelled operation is a programming error; fail at start.
      if (!model.hasOperation(name)) throw new Error(`${service.model} has no operation ${name}`);
    }
    models.set(service.targetPrefix, model);
  }
  return (service, operation, raw) => {
    const model = models.get(service.targetPrefix);
    if (!model) throw new Error(`no model loaded for ${service.targetPrefix}`);
    return model.parseInput(operation, raw);
  };
}
