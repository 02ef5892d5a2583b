/**
 * A credential written into a pipeline declaration is stored with it, shown to everyone who may
 * read the pipeline and copied into every run. CreatePipeline and UpdatePipeline therefore
 * refuse a value shaped like a well-known credential (an AWS access key, a GitHub or GitLab
 * token, a private key block) anywhere but a secret configuration property, and say how to use
 * a secret instead. The operator can turn this off (`--allow-plaintext-credentials`).
 */
import { InvalidStructureException } from '../errors/codepipeline-errors.js';
import { findCredentialLikeValue } from '../secrets/redaction.js';
import type { FindActionType } from './action-type-service.js';
import type { ActionDeclaration, PipelineDeclaration } from './declaration.js';
import { secretKeys } from './secret-configuration.js';

/** Throws InvalidStructureException naming where the first credential-like value is. */
export function checkNoPlaintextCredentials(
  decl: PipelineDeclaration,
  findActionType: FindActionType,
): void {
  for (const variable of decl.variables ?? []) {
    refuseIfCredential(variable.defaultValue, `the default value of variable '${variable.name}'`);
  }
  for (const stage of decl.stages) {
    for (const action of stage.actions) {
      const where = `action '${action.name}' of stage '${stage.name}'`;
      checkAction(action, where, new Set(secretKeys(action, findActionType)));
    }
  }
}

function checkAction(action: ActionDeclaration, where: string, secret: Set<string>): void {
  for (const [key, value] of Object.entries(action.configuration ?? {})) {
    if (!secret.has(key)) refuseIfCredential(value, `configuration '${key}' of ${where}`);
  }
  for (const [index, command] of (action.commands ?? []).entries()) {
    refuseIfCredential(command, `command ${index + 1} of ${where}`);
  }
  for (const variable of action.environmentVariables ?? []) {
    // A SECRETS_MANAGER variable's value is the secret's name, resolved when the action runs.
    if (variable.type === 'SECRETS_MANAGER') continue;
    refuseIfCredential(variable.value, `environment variable '${variable.name}' of ${where}`);
  }
}

function refuseIfCredential(value: string | undefined, where: string): void {
  if (value === undefined) return;
  const shape = findCredentialLikeValue(value);
  if (shape === undefined) return;
  // Never the value itself: the message reaches the caller, logs and the audit trail.
  throw new InvalidStructureException(
    `The value of ${where} looks like ${shape.description}. Credentials do not belong in a ` +
      'pipeline declaration: store it with `aws secretsmanager create-secret --name NAME ' +
      "--secret-string ...` and refer to it as '{{resolve:secretsmanager:NAME}}', or as an " +
      'environment variable of type SECRETS_MANAGER. (An operator can allow such values with ' +
      'lockstep serve --allow-plaintext-credentials.)',
  );
}
