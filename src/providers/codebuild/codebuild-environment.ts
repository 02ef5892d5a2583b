/**
 * The environment of a CodeBuild action's commands. CodeBuild's precedence, highest first
 * (userguide/build-spec-ref.html, "env"): variables given when the build starts (CodePipeline
 * passes the action's `EnvironmentVariables` so), then the project's, then the buildspec's
 * `env.variables`. Lockstep has no projects, so two layers, under CodeBuild's own variables.
 */
import { CodeBuildConfigurationError } from './codebuild-configuration-error.js';

/** What the environment is assembled from. */
export interface CodeBuildEnvironmentInput {
  /** CODEBUILD_* variables Lockstep sets, as CodeBuild does. */
  builtIn: Record<string, string>;
  /** The buildspec's `env.variables`. */
  buildspec: Record<string, string>;
  /** The action configuration's `EnvironmentVariables`: a JSON array of {name, value, type}. */
  actionVariables: string | undefined;
}

const SECRET_TYPES = new Set(['PARAMETER_STORE', 'SECRETS_MANAGER']);

function refuse(message: string): never {
  throw new CodeBuildConfigurationError(message);
}

function parseEntry(entry: unknown, index: number): [string, string] {
  const where = `EnvironmentVariables item ${index + 1}`;
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    refuse(`${where} must be an object with name, value and type`);
  }
  const { name, value, type = 'PLAINTEXT' } = entry as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') refuse(`${where} needs a name`);
  if (typeof value !== 'string') refuse(`${where} (${name}) needs a string value`);
  if (typeof type === 'string' && SECRET_TYPES.has(type)) {
    refuse(
      `Environment variable ${name} is of type ${type}, which needs the secret store, not available yet in Lockstep`,
    );
  }
  if (type !== 'PLAINTEXT') refuse(`Environment variable ${name} has unknown type ${String(type)}`);
  return [name, value];
}

/** Parses the action's `EnvironmentVariables` configuration; PLAINTEXT only for now. */
export function parseActionVariables(json: string | undefined): Record<string, string> {
  if (json === undefined || json.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    refuse(`EnvironmentVariables is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed))
    refuse('EnvironmentVariables must be a JSON array of {name, value, type}');
  return Object.fromEntries(parsed.map(parseEntry));
}

/** Refuses a variable in CodeBuild's reserved namespace, which CodeBuild keeps for itself. */
function checkReserved(variables: Record<string, string>, source: string): void {
  const reserved = Object.keys(variables).find((name) => name.startsWith('CODEBUILD_'));
  if (reserved) refuse(`${source} sets ${reserved}; names starting with CODEBUILD_ are reserved`);
}

/** The commands' whole environment, each layer overriding the one below it. */
export function codeBuildEnvironment(input: CodeBuildEnvironmentInput): Record<string, string> {
  const actionVariables = parseActionVariables(input.actionVariables);
  checkReserved(input.buildspec, 'env.variables');
  checkReserved(actionVariables, 'EnvironmentVariables');
  return { ...input.buildspec, ...actionVariables, ...input.builtIn };
}
