/**
 * Parses and checks a buildspec (version 0.2) as CodeBuild's buildspec reference describes it.
 * YAML's failsafe schema keeps every scalar as written (`1.10` stays `1.10`, `yes` stays `yes`),
 * which is how CodeBuild hands values to the shell.
 */
import { parseDocument } from 'yaml';
import { SHELL_VARIABLE_NAME } from '../commands/commands-script.js';
import type { Buildspec, BuildspecPhase, OnFailure, PhaseName } from './buildspec.js';
import { PHASE_NAMES } from './buildspec.js';
import type { Mapping } from './buildspec-shape.js';
import {
  expectKnownKeys,
  expectMapping,
  expectString,
  expectStringList,
  refuse,
} from './buildspec-shape.js';
import { parseBuildspecArtifacts } from './parse-buildspec-artifacts.js';

const TOP_KEYS = [
  'version',
  'run-as',
  'env',
  'proxy',
  'batch',
  'phases',
  'reports',
  'artifacts',
  'cache',
];
const ENV_KEYS = [
  'shell',
  'variables',
  'parameter-store',
  'exported-variables',
  'secrets-manager',
  'git-credential-helper',
];
const PHASE_KEYS = ['run-as', 'on-failure', 'runtime-versions', 'commands', 'finally'];

/** The parts of `env` Lockstep uses. */
type ParsedEnv = Pick<Buildspec, 'variables' | 'exportedVariables' | 'secretsManager'>;

function checkVersion(value: unknown): void {
  if (value === undefined) refuse('The buildspec has no version; Lockstep runs version 0.2');
  const version = expectString(value, 'version');
  if (version === '0.1') {
    // 0.1 runs every command in a fresh shell; Lockstep implements only 0.2's single session.
    refuse('Buildspec version 0.1 is not supported; use version 0.2');
  }
  if (version !== '0.2') refuse(`Buildspec version '${version}' is not supported; use version 0.2`);
}

function parseVariables(value: unknown): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [name, raw] of Object.entries(expectMapping(value, 'env.variables'))) {
    if (!SHELL_VARIABLE_NAME.test(name))
      refuse(`env.variables.${name} is not a valid variable name`);
    variables[name] = expectString(raw, `env.variables.${name}`);
  }
  return variables;
}

function parseEnv(value: unknown, ignored: string[]): ParsedEnv {
  const env = expectMapping(value, 'env');
  expectKnownKeys(env, ENV_KEYS, 'env');
  if (env['parameter-store'] !== undefined) {
    refuse(
      'env.parameter-store is not supported: Lockstep has no Parameter Store; keep the value ' +
        'in Secrets Manager and name it under env.secrets-manager',
    );
  }
  if (env.shell !== undefined) {
    const shell = expectString(env.shell, 'env.shell');
    // Every phase runs in one bash session; another shell would need another script generator.
    if (shell !== 'bash')
      refuse(`env.shell '${shell}' is not supported; Lockstep runs commands with bash only`);
  }
  if (env['git-credential-helper'] !== undefined) ignored.push('env.git-credential-helper');
  const exportedVariables = expectStringList(env['exported-variables'], 'env.exported-variables');
  for (const name of exportedVariables) {
    if (!SHELL_VARIABLE_NAME.test(name))
      refuse(`env.exported-variables: '${name}' is not a variable name`);
  }
  const variables = env.variables === undefined ? {} : parseVariables(env.variables);
  const secretsManager: Record<string, string> = {};
  if (env['secrets-manager'] !== undefined) {
    const entries = expectMapping(env['secrets-manager'], 'env.secrets-manager');
    for (const [name, raw] of Object.entries(entries)) {
      if (!SHELL_VARIABLE_NAME.test(name))
        refuse(`env.secrets-manager.${name} is not a valid variable name`);
      secretsManager[name] = expectString(raw, `env.secrets-manager.${name}`);
    }
  }
  return { variables, exportedVariables, secretsManager };
}

function parseOnFailure(value: unknown, where: string): OnFailure | undefined {
  if (value === undefined) return undefined;
  const mode = expectString(value, where);
  if (mode === 'ABORT' || mode === 'CONTINUE') return mode;
  if (mode.startsWith('RETRY'))
    refuse(`${where}: ${mode} is not supported by Lockstep yet; use ABORT or CONTINUE`);
  return refuse(`${where} must be ABORT or CONTINUE, not '${mode}'`);
}

function parsePhase(name: PhaseName, value: unknown, ignored: string[]): BuildspecPhase {
  const where = `phases.${name}`;
  const map = expectMapping(value, where, true);
  expectKnownKeys(map, PHASE_KEYS, where);
  for (const key of ['run-as', 'runtime-versions']) {
    if (map[key] !== undefined) ignored.push(`${where}.${key}`);
  }
  const onFailure = parseOnFailure(map['on-failure'], `${where}.on-failure`);
  return {
    commands: expectStringList(map.commands, `${where}.commands`),
    finally: expectStringList(map.finally, `${where}.finally`),
    ...(onFailure ? { onFailure } : {}),
  };
}

function parsePhases(value: unknown, ignored: string[]): Buildspec['phases'] {
  const map = expectMapping(value, 'phases');
  expectKnownKeys(map, PHASE_NAMES, 'phases');
  const phases: Buildspec['phases'] = {};
  for (const name of PHASE_NAMES) {
    if (map[name] !== undefined) phases[name] = parsePhase(name, map[name], ignored);
  }
  return phases;
}

function parseYaml(text: string, fileName: string): Mapping {
  const doc = parseDocument(text, { schema: 'failsafe', uniqueKeys: true });
  const [error] = doc.errors;
  if (error) {
    const firstLine = error.message.split('\n')[0]?.replace(/:$/, '') ?? error.message;
    refuse(`${fileName} is not valid YAML: ${firstLine}`);
  }
  return expectMapping(doc.toJS({ maxAliasCount: 100 }), fileName);
}

/** Parses `text` (the content of `fileName`), refusing what Lockstep cannot run as written. */
export function parseBuildspec(text: string, fileName: string): Buildspec {
  const top = parseYaml(text, fileName);
  expectKnownKeys(top, TOP_KEYS, '');
  checkVersion(top.version);
  if (top.batch !== undefined) refuse('batch builds are not supported by Lockstep yet');
  if (top.phases === undefined) refuse('The buildspec has no phases');
  const ignored = ['run-as', 'proxy', 'reports', 'cache'].filter((key) => top[key] !== undefined);
  const env =
    top.env === undefined
      ? { variables: {}, exportedVariables: [], secretsManager: {} }
      : parseEnv(top.env, ignored);
  const phases = parsePhases(top.phases, ignored);
  const artifacts =
    top.artifacts === undefined ? undefined : parseBuildspecArtifacts(top.artifacts);
  return {
    ...env,
    phases,
    hasArtifacts: artifacts !== undefined,
    ...(artifacts?.primaryArtifact ? { primaryArtifact: artifacts.primaryArtifact } : {}),
    secondaryArtifacts: artifacts?.secondaryArtifacts ?? {},
    ignored: [...ignored, ...(artifacts?.ignored ?? [])],
  };
}
