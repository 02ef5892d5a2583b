import { describe, expect, it } from 'vitest';
import { CodeBuildConfigurationError } from './codebuild-configuration-error.js';
import { parseBuildspec } from './parse-buildspec.js';

const parse = (text: string) => parseBuildspec(text, 'buildspec.yml');

function refusal(text: string): string {
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(CodeBuildConfigurationError);
    return (error as Error).message;
  }
  throw new Error('the buildspec was accepted');
}

describe('parseBuildspec', () => {
  it('keeps values as written and reads every section', () => {
    const spec = parse(`
version: 0.2
env:
  shell: bash
  variables: { NODE_VERSION: 1.10, VERBOSE: yes }
  exported-variables: [IMAGE_TAG]
  secrets-manager:
    TOKEN: prod/github:token
    DB_ARN: arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbC123
cache: { paths: [node_modules] }
phases:
  install:
    runtime-versions: { nodejs: 20 }
  build:
    on-failure: CONTINUE
    commands: ["echo a: b", make]
    finally: [echo done]
artifacts:
  name: ignored-name
  files: ['**/*']
  base-directory: dist
  discard-paths: yes
  secondary-artifacts:
    Reports: { files: [report.xml] }
`);
    expect(spec.variables).toEqual({ NODE_VERSION: '1.10', VERBOSE: 'yes' });
    expect(spec.exportedVariables).toEqual(['IMAGE_TAG']);
    expect(spec.secretsManager).toEqual({
      TOKEN: 'prod/github:token',
      DB_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbC123',
    });
    expect(spec.phases.install).toEqual({ commands: [], finally: [] });
    expect(spec.phases.build).toEqual({
      commands: ['echo a: b', 'make'],
      finally: ['echo done'],
      onFailure: 'CONTINUE',
    });
    expect(spec.primaryArtifact).toEqual({
      files: ['**/*'],
      baseDirectory: 'dist',
      discardPaths: true,
    });
    expect(spec.secondaryArtifacts).toEqual({
      Reports: { files: ['report.xml'], discardPaths: false },
    });
    expect(spec.ignored.sort()).toEqual([
      'artifacts.name',
      'cache',
      'phases.install.runtime-versions',
    ]);
  });

  it.each([
    ['phases:\n  build:\n    commands: make', 'phases.build.commands must be a list of strings'],
    [
      'phases:\n  build:\n    commands:\n      - echo a: b',
      'phases.build.commands must be a list of strings, but item 1 is a mapping (quote a command that contains ": ")',
    ],
    ['phases:\n  build: [make]', 'phases.build must be a mapping, but it is a list'],
    ['phases:\n  compile: {}', 'Unknown key phases.compile in the buildspec'],
    ['phase:\n  build: {}', 'Unknown key phase in the buildspec'],
    [
      'phases:\n  build:\n    on-failure: IGNORE',
      "phases.build.on-failure must be ABORT or CONTINUE, not 'IGNORE'",
    ],
    ['phases:\n  build:\n    on-failure: RETRY-3', 'RETRY-3 is not supported'],
    ['env:\n  shell: /bin/sh\nphases: {}', "env.shell '/bin/sh' is not supported"],
    [
      "env:\n  secrets-manager: { 'NOT A NAME': prod/token }\nphases: {}",
      'env.secrets-manager.NOT A NAME is not a valid variable name',
    ],
    [
      'env:\n  parameter-store: { KEY: /p }\nphases: {}',
      'Lockstep has no Parameter Store; keep the value in Secrets Manager',
    ],
    ['env:\n  variables: [A]\nphases: {}', 'env.variables must be a mapping, but it is a list'],
    ['env:\n  variables: { A: [1] }\nphases: {}', 'env.variables.A must be a single value'],
    ['phases: {}\nartifacts:\n  base-directory: dist', 'artifacts.files is required'],
    [
      'phases: {}\nartifacts:\n  files: [a]\n  discard-paths: maybe',
      "artifacts.discard-paths must be yes or no, not 'maybe'",
    ],
    [
      'phases: {}\nartifacts:\n  files: [a]\n  exclude-paths: [b]',
      'artifacts.exclude-paths is not supported',
    ],
    [
      'phases: {}\nartifacts:\n  secondary-artifacts:\n    Out: { name: x }',
      'artifacts.secondary-artifacts.Out.files is required',
    ],
    ['phases: {}\nbatch: { build-list: [] }', 'batch builds are not supported'],
    ['phases: {}\nphases: {}', 'buildspec.yml is not valid YAML: Map keys must be unique at line'],
  ])('refuses %j', (body, message) => {
    const text = body.startsWith('version') ? body : `version: 0.2\n${body}\n`;
    expect(refusal(text)).toContain(message);
  });

  it('names the version it cannot run', () => {
    expect(refusal('version: 0.1\nphases: {}')).toBe(
      'Buildspec version 0.1 is not supported; use version 0.2',
    );
    expect(refusal('phases: {}')).toContain('has no version');
    expect(refusal('version: 0.2\n')).toBe('The buildspec has no phases');
  });
});
