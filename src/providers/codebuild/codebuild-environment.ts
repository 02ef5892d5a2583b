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
  /** The buildspec's `env.secrets-manager`: name to secret path. */
  buildspecSecrets: Record<string, string>;
  /** The action configuration's `EnvironmentVariables`: a JSON array of {name, value, type}. */
  actionVariables: string | undefined;
  /** Reads a secret path with the action role's permission; absent, secrets are refused. */
  resolveSecret: ((path: string) => Promise<string>) | undefined;
}

/** A variable of the action's EnvironmentVariables, its value still a secret path if typed so. */
interface ActionVariable {
  name: string;
  value: string;
  type: 'PLAINTEXT' | 'SECRETS_MANAGER';
}

function refuse(message: string): never {
  throw new CodeBuildConfigurationError(message);
}

function parseEntry(entry: unknown, index: number): ActionVariable {
  const where = `EnvironmentVariables item ${index + 1}`;
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    refuse(`${where} must be an object with name, value and type`);
  }
  const { name, value, type = 'PLAINTEXT' } = entry as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') refuse(`${where} needs a name`);
  if (typeof value !== 'string') refuse(`${where} (${name}) needs a string value`);
  if (type === 'PARAMETER_STORE') {
    refuse(
      `Environment variable ${name} is of type PARAMETER_STORE: Lockstep has no Parameter ` +
        'Store; keep the value in Secrets Manager and use type SECRETS_MANAGER',
    );
  }
  if (type !== 'PLAINTEXT' && type !== 'SECRETS_MANAGER') {
    refuse(`Environment variable ${name} has unknown type ${String(type)}`);
  }
  return { name, value, type };
}

/** Parses the action's `EnvironmentVariables` configuration (PLAINTEXT and SECRETS_MANAGER). */
export function parseActionVariables(json: string | undefined): ActionVariable[] {
  if (json === undefined || json.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    refuse(`EnvironmentVariables is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed))
    refuse('EnvironmentVariables must be a JSON array of {name, value, type}');
  return parsed.map(parseEntry);
}

/** Refuses a variable in CodeBuild's reserved namespace, which CodeBuild keeps for itself. */
function checkReserved(variables: Record<string, string>, source: string): void {
  const reserved = Object.keys(variables).find((name) => name.startsWith('CODEBUILD_'));
  if (reserved) refuse(`${source} sets ${reserved}; names starting with CODEBUILD_ are reserved`);
}

/**
 * The commands' whole environment, each layer overriding the one below it, with every
 * SECRETS_MANAGER value read as the build starts.
 */
export async function codeBuildEnvironment(
  input: CodeBuildEnvironmentInput,
): Promise<Record<string, string>> {
  const resolve = async (name: string, path: string): Promise<[string, string]> => {
    if (input.resolveSecret === undefined) {
      refuse(`${name} names a secret, and this action has no way to read secrets`);
    }
    return [name, await input.resolveSecret(path)];
  };
  const buildspec = {
    ...input.buildspec,
    ...Object.fromEntries(
      await Promise.all(Object.entries(input.buildspecSecrets).map(([n, p]) => resolve(n, p))),
    ),
  };
  const actionVariables = Object.fromEntries(
    await Promise.all(
      parseActionVariables(input.actionVariables).map(async (v) =>
        v.type === 'SECRETS_MANAGER' ? resolve(v.name, v.value) : [v.name, v.value],
      ),
    ),
  ) as Record<string, string>;
  checkReserved(buildspec, 'env');
  checkReserved(actionVariables, 'EnvironmentVariables');
  return { ...buildspec, ...actionVariables, ...input.builtIn };
}
