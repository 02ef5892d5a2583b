import { describe, expect, it } from 'vitest';
import {
  hasDynamicReference,
  parseDynamicReference,
  parseSecretPath,
  SecretResolver,
  type SecretReference,
} from './secret-references.js';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123';

describe('parseSecretPath', () => {
  it.each<[string, SecretReference]>([
    ['GITHUB_TOKEN', { secretId: 'GITHUB_TOKEN' }],
    ['db:password', { secretId: 'db', jsonKey: 'password' }],
    [
      'db:password:AWSPREVIOUS',
      { secretId: 'db', jsonKey: 'password', versionStage: 'AWSPREVIOUS' },
    ],
    ['db::AWSPENDING', { secretId: 'db', versionStage: 'AWSPENDING' }],
    ['db:::v-1', { secretId: 'db', versionId: 'v-1' }],
    [ARN, { secretId: ARN }],
    [`${ARN}:user`, { secretId: ARN, jsonKey: 'user' }],
  ])('%s', (text, expected) => {
    expect(parseSecretPath(text)).toEqual(expected);
  });

  it('refuses an empty id', () => {
    expect(() => parseSecretPath(':key')).toThrow(/does not name a secret/);
  });
});

describe('parseDynamicReference', () => {
  it('reads CloudFormation’s form, with and without SecretString', () => {
    expect(parseDynamicReference('GITHUB_TOKEN')).toEqual({ secretId: 'GITHUB_TOKEN' });
    expect(parseDynamicReference('db:SecretString:password')).toEqual({
      secretId: 'db',
      jsonKey: 'password',
    });
    expect(parseDynamicReference(`${ARN}:SecretString:user::v-2`)).toEqual({
      secretId: ARN,
      jsonKey: 'user',
      versionId: 'v-2',
    });
  });

  it('refuses what cannot be a string', () => {
    expect(() => parseDynamicReference('db:SecretBinary')).toThrow(/only SecretString/);
  });
});

describe('SecretResolver', () => {
  const secrets: Record<string, string> = {
    GITHUB_TOKEN: 'tok-123456',
    db: JSON.stringify({ user: 'app', password: 'pw-98765', port: 5432 }),
  };
  const reads: string[] = [];
  const resolver = () =>
    new SecretResolver((reference) => {
      reads.push(reference.secretId);
      const value = secrets[reference.secretId];
      return value === undefined
        ? Promise.reject(new Error("Secrets Manager can't find the specified secret."))
        : Promise.resolve(value);
    });

  it('replaces every reference in a configuration, reading each secret once', async () => {
    reads.length = 0;
    const r = resolver();
    const resolved = await r.resolveConfiguration({
      Url: 'https://x:{{resolve:secretsmanager:GITHUB_TOKEN}}@git.example.com/{{resolve:secretsmanager:GITHUB_TOKEN}}',
      Db: 'postgres://{{resolve:secretsmanager:db:SecretString:user}}:{{resolve:secretsmanager:db:SecretString:password}}@h',
      Plain: 'no references',
    });
    expect(resolved).toEqual({
      Url: 'https://x:tok-123456@git.example.com/tok-123456',
      Db: 'postgres://app:pw-98765@h',
      Plain: 'no references',
    });
    expect(reads.filter((id) => id === 'GITHUB_TOKEN')).toHaveLength(1);
    expect(r.values).toContain('tok-123456');
    expect(r.values).toContain('pw-98765');
    expect(r.values).toContain(secrets.db);
  });

  it('resolves variable paths, non-string members as JSON', async () => {
    const r = resolver();
    expect(await r.resolvePath('db:port')).toBe('5432');
    expect(await r.resolvePath('GITHUB_TOKEN')).toBe('tok-123456');
  });

  it('fails naming the reference, never a value', async () => {
    const r = resolver();
    await expect(r.resolveText('{{resolve:secretsmanager:missing}}')).rejects.toThrow(
      "could not resolve {{resolve:secretsmanager:missing}}: Secrets Manager can't find the specified secret.",
    );
    const wrongKey = r.resolvePath('db:nope');
    await expect(wrongKey).rejects.toThrow("secret db has no key 'nope'");
    await expect(wrongKey).rejects.not.toThrow(/pw-98765/);
    await expect(r.resolvePath('GITHUB_TOKEN:k')).rejects.toThrow(/not a JSON object/);
  });

  it('knows which values hold references', () => {
    expect(hasDynamicReference('a {{resolve:secretsmanager:x}} b')).toBe(true);
    expect(hasDynamicReference('#{SourceVariables.CommitId}')).toBe(false);
  });
});
