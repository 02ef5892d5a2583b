import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findBuiltInActionType } from './action-type-catalogue.js';
import type { ActionDeclaration, PipelineDeclaration } from './declaration.js';
import { checkNoPlaintextCredentials } from './plaintext-credentials.js';

// Assembled here so that this file itself holds no credential-shaped literal.
const GITHUB_TOKEN = ['ghp', '_', 'Zx9Yw8Vu7tS6rQ5pO4nM3lK2jI1hG0fE9dC8'].join('');
const ACCESS_KEY = ['AKIA', 'Q3EGRAFNOTREALKEY'].join('').slice(0, 20);
const PRIVATE_KEY = ['-----BEGIN OPENSSH PRIVATE ', 'KEY-----\nb3Blbg==\n-----END'].join('');

const FIXTURES = new URL('../../test/fixtures/pipelines/', import.meta.url);

function pipeline(
  action: Partial<ActionDeclaration>,
  variables?: PipelineDeclaration['variables'],
) {
  const decl: PipelineDeclaration = {
    name: 'p',
    roleArn: 'arn:aws:iam::123456789012:role/pipeline',
    artifactStore: { type: 'S3', location: 'bucket' },
    pipelineType: 'V2',
    stages: [
      {
        name: 'Build',
        actions: [
          {
            name: 'Run',
            actionTypeId: { category: 'Compute', owner: 'AWS', provider: 'Commands', version: '1' },
            ...action,
          },
        ],
      },
    ],
    ...(variables ? { variables } : {}),
  };
  return decl;
}

const check = (decl: PipelineDeclaration) => () =>
  checkNoPlaintextCredentials(decl, findBuiltInActionType);

describe('checkNoPlaintextCredentials', () => {
  it.each([
    [
      'a command',
      pipeline({ commands: ['ls', `git clone https://${GITHUB_TOKEN}@x/y`] }),
      'command 2 of action',
    ],
    [
      'a configuration value',
      pipeline({ configuration: { Key: ACCESS_KEY } }),
      "configuration 'Key'",
    ],
    [
      'a plaintext environment variable',
      pipeline({ environmentVariables: [{ name: 'DEPLOY_KEY', value: PRIVATE_KEY }] }),
      "environment variable 'DEPLOY_KEY'",
    ],
    [
      'a variable default',
      pipeline({}, [{ name: 'token', defaultValue: GITHUB_TOKEN }]),
      "default value of variable 'token'",
    ],
  ])('refuses %s, naming where, never the value, and how to use a secret', (_, decl, where) => {
    expect(check(decl)).toThrow(expect.objectContaining({ code: 'InvalidStructureException' }));
    let message = '';
    try {
      check(decl)();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(where);
    expect(message).toContain('{{resolve:secretsmanager:NAME}}');
    for (const secret of [GITHUB_TOKEN, ACCESS_KEY, PRIVATE_KEY]) {
      expect(message).not.toContain(secret);
    }
  });

  it('accepts the secret forms: a SECRETS_MANAGER variable and a secret property', () => {
    const secretVariable = pipeline({
      environmentVariables: [{ name: 'TOKEN', value: GITHUB_TOKEN, type: 'SECRETS_MANAGER' }],
    });
    expect(check(secretVariable)).not.toThrow();
    const github: PipelineDeclaration = {
      ...pipeline({}),
      stages: [
        {
          name: 'Source',
          actions: [
            {
              name: 'GitHub',
              actionTypeId: {
                category: 'Source',
                owner: 'ThirdParty',
                provider: 'GitHub',
                version: '1',
              },
              configuration: { Owner: 'o', Repo: 'r', Branch: 'main', OAuthToken: GITHUB_TOKEN },
              outputArtifacts: [{ name: 'Src' }],
            },
          ],
        },
      ],
    };
    expect(check(github)).not.toThrow();
  });

  it('accepts every published fixture and ordinary values such as commit ids', () => {
    for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))) {
      const doc = JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as {
        pipeline: PipelineDeclaration;
      };
      expect(check(doc.pipeline), file).not.toThrow();
    }
    const ordinary = pipeline({
      commands: ['git checkout 9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e', 'echo $UUID'],
      configuration: { ExecutionId: '6a1f0c52-9d3e-4b8a-b7c1-2e4d5f6a7b8c' },
    });
    expect(check(ordinary)).not.toThrow();
  });
});
