/**
 * CodePipeline's rules for CreateCustomActionType beyond what the model checks: at most one
 * queryable property, which must be required and not secret, and URL templates that refer
 * only to required, non-secret properties (a template is shown to anyone who can read the
 * pipeline, so it must never expand a secret).
 */
import { ValidationException } from '../errors/lockstep-error.js';
import type {
  ActionCategory,
  ActionConfigurationProperty,
  ActionType,
  ActionTypeSettings,
  ArtifactDetails,
} from './declaration.js';

export interface CustomActionTypeInput {
  category: ActionCategory;
  provider: string;
  version: string;
  settings?: ActionTypeSettings;
  configurationProperties?: ActionConfigurationProperty[];
  inputArtifactDetails: ArtifactDetails;
  outputArtifactDetails: ArtifactDetails;
}

/** Checks a CreateCustomActionType input and returns the ActionType it declares. */
export function checkCustomActionType(input: CustomActionTypeInput): ActionType {
  const properties = input.configurationProperties ?? [];
  checkUniqueNames(properties);
  checkQueryable(properties);
  checkArtifactDetails('inputArtifactDetails', input.inputArtifactDetails);
  checkArtifactDetails('outputArtifactDetails', input.outputArtifactDetails);
  for (const [name, template] of Object.entries(input.settings ?? {})) {
    if (typeof template === 'string') checkTemplate(name, template, properties);
  }
  return {
    id: {
      category: input.category,
      owner: 'Custom',
      provider: input.provider,
      version: input.version,
    },
    ...(input.settings ? { settings: input.settings } : {}),
    actionConfigurationProperties: properties,
    inputArtifactDetails: input.inputArtifactDetails,
    outputArtifactDetails: input.outputArtifactDetails,
  };
}

function checkUniqueNames(properties: ActionConfigurationProperty[]): void {
  const seen = new Set<string>();
  for (const property of properties) {
    if (seen.has(property.name)) {
      throw new ValidationException(`Configuration property '${property.name}' is declared twice.`);
    }
    seen.add(property.name);
  }
}

function checkQueryable(properties: ActionConfigurationProperty[]): void {
  const queryable = properties.filter((p) => p.queryable);
  if (queryable.length > 1) {
    throw new ValidationException('At most one configuration property can be queryable.');
  }
  const [property] = queryable;
  if (property && (!property.required || property.secret)) {
    throw new ValidationException(
      `Queryable configuration property '${property.name}' must be required and not secret.`,
    );
  }
}

function checkArtifactDetails(member: string, details: ArtifactDetails): void {
  if (details.minimumCount > details.maximumCount) {
    throw new ValidationException(
      `${member}: minimumCount ${details.minimumCount} is greater than maximumCount ${details.maximumCount}.`,
    );
  }
}

function checkTemplate(
  setting: string,
  template: string,
  properties: ActionConfigurationProperty[],
): void {
  for (const match of template.matchAll(/\{Config:([^}]+)\}/g)) {
    const name = match[1] ?? '';
    const property = properties.find((p) => p.name === name);
    if (!property || !property.required || property.secret) {
      throw new ValidationException(
        `settings.${setting} refers to {Config:${name}}, which is not a required, ` +
          'non-secret configuration property of this action type.',
      );
    }
  }
}
