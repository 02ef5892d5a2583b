import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findBuiltInActionType } from './action-type-catalogue.js';
import type { PipelineDeclaration } from './declaration.js';
import {
  SECRET_MASK,
  maskSecretConfiguration,
  restoreMaskedSecrets,
} from './secret-configuration.js';

// The GitHub v1 (ThirdParty) source of this fixture carries OAuthToken, a secret property.
const GITHUB_FIXTURE = new URL(
  '../../test/fixtures/pipelines/cfn__ecs-refarch-continuous-deployment__deployment-pipeline__Pipeline.json',
  import.meta.url,
);

function stored(): PipelineDeclaration {
  return (JSON.parse(readFileSync(GITHUB_FIXTURE, 'utf8')) as { pipeline: PipelineDeclaration })
    .pipeline;
}

function sourceConfiguration(decl: PipelineDeclaration) {
  return decl.stages[0]?.actions[0]?.configuration;
}

describe('maskSecretConfiguration', () => {
  it('masks OAuthToken and leaves the other keys alone', () => {
    const masked = maskSecretConfiguration(stored(), findBuiltInActionType);
    expect(sourceConfiguration(masked)).toEqual({
      Owner: 'example-githubuser',
      Repo: 'example-githubrepo',
      Branch: 'example-githubbranch',
      OAuthToken: '****',
    });
    expect(masked.stages[1]?.actions[0]?.configuration).toEqual({
      ProjectName: 'sample-stack-CodeBuildProject',
    });
  });

  it('does not change the declaration it was given', () => {
    const original = stored();
    maskSecretConfiguration(original, findBuiltInActionType);
    expect(sourceConfiguration(original)?.OAuthToken).toBe('example-githubtoken');
  });

  it('masks nothing of an action type it cannot find', () => {
    const masked = maskSecretConfiguration(stored(), () => undefined);
    expect(sourceConfiguration(masked)?.OAuthToken).toBe('example-githubtoken');
  });
});

describe('restoreMaskedSecrets', () => {
  it('round-trips: the masked GetPipeline output sent back keeps the stored token', () => {
    const previous = stored();
    const sentBack = maskSecretConfiguration(previous, findBuiltInActionType);
    sentBack.stages[0]!.actions[0]!.configuration!.Branch = 'release';
    const restored = restoreMaskedSecrets(sentBack, previous, findBuiltInActionType);
    expect(sourceConfiguration(restored)).toMatchObject({
      Branch: 'release',
      OAuthToken: 'example-githubtoken',
    });
    expect(sourceConfiguration(sentBack)?.OAuthToken).toBe(SECRET_MASK);
  });

  it('keeps a new token that is not the mask', () => {
    const update = stored();
    update.stages[0]!.actions[0]!.configuration!.OAuthToken = 'new-token';
    const restored = restoreMaskedSecrets(update, stored(), findBuiltInActionType);
    expect(sourceConfiguration(restored)?.OAuthToken).toBe('new-token');
  });

  it('keeps the mask when the action did not exist before', () => {
    const update = maskSecretConfiguration(stored(), findBuiltInActionType);
    update.stages[0]!.actions[0]!.name = 'Renamed';
    const restored = restoreMaskedSecrets(update, stored(), findBuiltInActionType);
    expect(sourceConfiguration(restored)?.OAuthToken).toBe(SECRET_MASK);
  });

  it('does not carry a secret over to a different action type', () => {
    const update = maskSecretConfiguration(stored(), findBuiltInActionType);
    update.stages[0]!.actions[0]!.actionTypeId.version = '2';
    // A lookup that still calls OAuthToken secret, so only the type check can refuse.
    const github = findBuiltInActionType(stored().stages[0]!.actions[0]!.actionTypeId);
    const restored = restoreMaskedSecrets(update, stored(), () => github);
    expect(sourceConfiguration(restored)?.OAuthToken).toBe(SECRET_MASK);
  });

  it('treats the mask literally in a property that is not secret', () => {
    const previous = stored();
    const update = stored();
    update.stages[0]!.actions[0]!.configuration!.Repo = SECRET_MASK;
    const restored = restoreMaskedSecrets(update, previous, findBuiltInActionType);
    expect(sourceConfiguration(restored)?.Repo).toBe(SECRET_MASK);
  });
});
