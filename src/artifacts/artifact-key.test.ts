import { describe, expect, it } from 'vitest';
import { InvalidArtifactKeyError } from './artifact-errors.js';
import { artifactObjectPath, fsArtifactLocation, parseFsArtifactLocation } from './artifact-key.js';

const executionId = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
const key = { pipelineName: 'my.pipe@line-1_a', executionId, artifactName: 'Build_Output-1' };

describe('artifact keys', () => {
  it('maps a key to <pipeline>/<execution>/<artifact>.zip and its location back to the key', () => {
    expect(artifactObjectPath(key)).toBe(`my.pipe@line-1_a/${executionId}/Build_Output-1.zip`);
    expect(fsArtifactLocation(key)).toBe(`fs:my.pipe@line-1_a/${executionId}/Build_Output-1.zip`);
    expect(parseFsArtifactLocation(fsArtifactLocation(key))).toEqual(key);
  });

  it.each([
    { ...key, pipelineName: '../other' },
    { ...key, pipelineName: '..' },
    { ...key, pipelineName: '.' },
    { ...key, pipelineName: 'a/b' },
    { ...key, pipelineName: '' },
    { ...key, pipelineName: 'x'.repeat(101) },
    { ...key, executionId: '../0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9' },
    { ...key, executionId: '0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9' },
    { ...key, executionId: 'latest' },
    { ...key, artifactName: '../../etc/passwd' },
    { ...key, artifactName: 'a.b' },
    { ...key, artifactName: '' },
  ])('refuses %o', (bad) => {
    expect(() => artifactObjectPath(bad)).toThrow(InvalidArtifactKeyError);
  });

  it.each([
    's3:bucket/key.zip',
    'fs:../../etc/passwd',
    `fs:p/${executionId}/../../../x.zip`,
    `fs:p/${executionId}/a.tar`,
    `fs:p/${executionId}/a.zip/b.zip`,
    `fs:../${executionId}/a.zip`,
    'fs:',
  ])('refuses the location %s', (location) => {
    expect(() => parseFsArtifactLocation(location)).toThrow(InvalidArtifactKeyError);
  });
});
