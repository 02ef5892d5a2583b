/**
 * The key service over a real state store (SQLite, and PostgreSQL when
 * LOCKSTEP_TEST_DATABASE_URL is set), with an injected clock so that deletion windows and
 * rotation periods of days pass in a test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, reportPostgresSkipped } from '../../test/support/postgres.js';
import { openStateStore } from '../store/open-state-store.js';
import type { StateStore } from '../store/state-store.js';
import { readBlobHeader } from './ciphertext-blob.js';
import { defaultKeyPolicy } from './key-policy.js';
import { KeyService } from './key-service.js';
import { RootKey } from './root-key.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const scope = { accountId: '123456789012', region: 'us-east-1' };
const admin = { principalArn: 'arn:aws:iam::123456789012:user/lockstep-admin' };
const context = { pipeline: 'deploy', execution: 'e-1' };
const b64 = (text: string) => Buffer.from(text).toString('base64');

/** The AWS exception name a call fails with. */
async function failure(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  throw new Error('the call succeeded but should have failed');
}

reportPostgresSkipped('kms key service');
const engines = [
  { name: 'sqlite', database: () => Promise.resolve(undefined) },
  ...(process.env.LOCKSTEP_TEST_DATABASE_URL
    ? [{ name: 'postgres', database: createTestDatabase }]
    : []),
];

describe.each(engines)('KeyService on $name', ({ database }) => {
  let dir: string;
  let store: StateStore;
  let testDatabase: { drop(): Promise<void> } | undefined;
  let nowMs = Date.UTC(2026, 0, 1);
  let kms: KeyService;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lockstep-kms-'));
    const db = await database();
    testDatabase = db;
    store = await openStateStore({ dataDir: dir, ...(db ? { databaseUrl: db.url } : {}) });
    const rootKey = await RootKey.loadOrCreate(path.join(dir, 'keys', 'root.key'), true);
    kms = new KeyService(store.kms, rootKey, scope, () => nowMs);
  });
  afterAll(async () => {
    await store.close();
    await testDatabase?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const newKey = async () => (await kms.keys.create({}, admin)).KeyMetadata.KeyId;
  const encrypt = (KeyId: string, text: string, EncryptionContext = context) =>
    kms.crypto.encrypt({ KeyId, Plaintext: b64(text), EncryptionContext });
  const decrypt = (CiphertextBlob: string, EncryptionContext: Record<string, string> = context) =>
    kms.crypto.decrypt({ CiphertextBlob, EncryptionContext });

  it('decrypts with the same encryption context and refuses any other', async () => {
    const keyId = await newKey();
    const { CiphertextBlob } = await encrypt(keyId, 'artifact bytes');
    const opened = await decrypt(CiphertextBlob);
    expect(Buffer.from(opened.Plaintext, 'base64').toString()).toBe('artifact bytes');
    expect(opened.KeyId).toBe(`arn:aws:kms:us-east-1:123456789012:key/${keyId}`);
    expect(await failure(decrypt(CiphertextBlob, { ...context, execution: 'e-2' }))).toBe(
      'InvalidCiphertextException',
    );
    expect(await failure(decrypt(CiphertextBlob, {}))).toBe('InvalidCiphertextException');
  });

  it('refuses a blob with a flipped byte, and a KeyId naming another key', async () => {
    const [keyId, other] = [await newKey(), await newKey()];
    const { CiphertextBlob } = await encrypt(keyId, 'data');
    const forged = Buffer.from(CiphertextBlob, 'base64');
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 0x80;
    expect(await failure(decrypt(forged.toString('base64')))).toBe('InvalidCiphertextException');
    const wrongKey = kms.crypto.decrypt({
      CiphertextBlob,
      EncryptionContext: context,
      KeyId: other,
    });
    expect(await failure(wrongKey)).toBe('IncorrectKeyException');
  });

  it('keeps old ciphertext readable after rotation while new ciphertext uses new material', async () => {
    const keyId = await newKey();
    const before = await encrypt(keyId, 'before rotation');
    await kms.rotation.rotateOnDemand(keyId);
    const after = await encrypt(keyId, 'after rotation');
    const version = (blob: string) => readBlobHeader(Buffer.from(blob, 'base64'))?.version;
    expect(version(before.CiphertextBlob)).toBe(1);
    expect(version(after.CiphertextBlob)).toBe(2);
    const [old, fresh] = [
      await decrypt(before.CiphertextBlob),
      await decrypt(after.CiphertextBlob),
    ];
    expect(Buffer.from(old.Plaintext, 'base64').toString()).toBe('before rotation');
    expect(old.KeyMaterialId).not.toBe(fresh.KeyMaterialId);
    const described = await kms.keys.describe(keyId);
    expect(described.KeyMetadata.CurrentKeyMaterialId).toBe(fresh.KeyMaterialId);
    const rotations = await kms.rotation.list({ KeyId: keyId });
    expect(rotations.Rotations).toEqual([
      expect.objectContaining({
        KeyMaterialId: fresh.KeyMaterialId,
        KeyMaterialState: 'CURRENT',
        RotationType: 'ON_DEMAND',
      }),
    ]);
  });

  it('rotates automatically once the rotation period has passed', async () => {
    const keyId = await newKey();
    await kms.rotation.enable({ KeyId: keyId, RotationPeriodInDays: 90 });
    const status = await kms.rotation.status(keyId);
    expect(status).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 90 });
    const before = await encrypt(keyId, 'quarter one');
    nowMs += 91 * DAY_MS;
    expect((await kms.maintain()).rotated).toBeGreaterThanOrEqual(1);
    const after = await encrypt(keyId, 'quarter two');
    expect(readBlobHeader(Buffer.from(after.CiphertextBlob, 'base64'))?.version).toBe(2);
    expect((await decrypt(before.CiphertextBlob)).Plaintext).toBe(b64('quarter one'));
    const listed = await kms.rotation.list({
      KeyId: keyId,
      IncludeKeyMaterial: 'ALL_KEY_MATERIAL',
    });
    expect(listed.Rotations.map((r) => r.KeyMaterialState)).toEqual(['NON_CURRENT', 'CURRENT']);
  });

  it('refuses a disabled key until it is enabled again', async () => {
    const keyId = await newKey();
    const { CiphertextBlob } = await encrypt(keyId, 'kept');
    await kms.keys.disable(keyId);
    expect(await failure(encrypt(keyId, 'more'))).toBe('DisabledException');
    expect(await failure(decrypt(CiphertextBlob))).toBe('DisabledException');
    await kms.keys.enable(keyId);
    expect((await decrypt(CiphertextBlob)).Plaintext).toBe(b64('kept'));
  });

  it('checks the key state on every use, also when another replica changed it', async () => {
    const rootKey = await RootKey.loadOrCreate(path.join(dir, 'keys', 'root.key'), false);
    const replica = new KeyService(store.kms, rootKey, scope, () => nowMs);
    const keyId = await newKey();
    // Both services have opened the key's material before the other one changes the key.
    const dataKey = await kms.generateDataKey({ keyId, encryptionContext: context });
    const opened = await replica.decryptDataKey({
      encryptedKey: dataKey.encryptedKey,
      encryptionContext: context,
    });
    expect(opened.plaintextKey.equals(dataKey.plaintextKey)).toBe(true);
    const open = (service: KeyService) =>
      service.decryptDataKey({ encryptedKey: dataKey.encryptedKey, encryptionContext: context });
    await replica.keys.disable(keyId);
    expect(await failure(open(kms))).toBe('DisabledException');
    await kms.keys.enable(keyId);
    expect((await open(replica)).plaintextKey.equals(dataKey.plaintextKey)).toBe(true);
    // A rotation elsewhere: new data keys use the new version, old ones still open.
    await replica.rotation.rotateOnDemand(keyId);
    const rotated = await kms.generateDataKey({ keyId, encryptionContext: context });
    expect(readBlobHeader(rotated.encryptedKey)?.version).toBe(2);
    expect((await open(kms)).plaintextKey.equals(dataKey.plaintextKey)).toBe(true);
    await replica.keys.scheduleDeletion({ KeyId: keyId, PendingWindowInDays: 7 });
    expect(await failure(open(kms))).toBe('KMSInvalidStateException');
    nowMs += 7 * DAY_MS;
    expect((await replica.maintain()).destroyed).toBeGreaterThanOrEqual(1);
    expect(await failure(open(kms))).toBe('InvalidCiphertextException');
  });

  it('makes a key pending deletion unusable, and its data unreadable once the window ends', async () => {
    const keyId = await newKey();
    const { CiphertextBlob } = await encrypt(keyId, 'doomed');
    expect(await failure(kms.keys.scheduleDeletion({ KeyId: keyId, PendingWindowInDays: 6 }))).toBe(
      'ValidationException',
    );
    const scheduled = await kms.keys.scheduleDeletion({ KeyId: keyId, PendingWindowInDays: 7 });
    expect(scheduled.DeletionDate.getTime()).toBe(nowMs + 7 * DAY_MS);
    expect(await failure(decrypt(CiphertextBlob))).toBe('KMSInvalidStateException');
    expect(await failure(encrypt(keyId, 'more'))).toBe('KMSInvalidStateException');
    nowMs += 7 * DAY_MS - 1;
    expect((await kms.keys.describe(keyId)).KeyMetadata.KeyState).toBe('PendingDeletion');
    nowMs += 1;
    expect(await failure(decrypt(CiphertextBlob))).toBe('InvalidCiphertextException');
    expect(await failure(kms.keys.describe(keyId))).toBe('NotFoundException');
    expect(await store.kms.listMaterials(keyId)).toEqual([]);
  });

  it('destroys keys past their window in the maintenance sweep, and cancels leave them disabled', async () => {
    const [doomed, saved] = [await newKey(), await newKey()];
    await kms.keys.scheduleDeletion({ KeyId: doomed });
    await kms.keys.scheduleDeletion({ KeyId: saved });
    expect(await kms.keys.cancelDeletion(saved)).toEqual({
      KeyId: expect.stringContaining(saved) as string,
    });
    expect((await kms.keys.describe(saved)).KeyMetadata.KeyState).toBe('Disabled');
    nowMs += 30 * DAY_MS;
    expect((await kms.maintain()).destroyed).toBeGreaterThanOrEqual(1);
    expect(await store.kms.getKey(doomed)).toBeUndefined();
    expect(await store.kms.getKey(saved)).toBeDefined();
  });

  it('creates only symmetric encryption keys', async () => {
    for (const input of [
      { KeySpec: 'RSA_2048' },
      { KeyUsage: 'SIGN_VERIFY' },
      { KeySpec: 'HMAC_256' },
    ]) {
      expect(await failure(kms.keys.create(input, admin))).toBe('UnsupportedOperationException');
    }
    const refused = kms.keys.create({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }, admin);
    await expect(refused).rejects.toThrow(/only symmetric encryption KMS keys/);
  });

  it('refuses a key policy that would lock its author out, unless told to bypass', async () => {
    const locked = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: admin.principalArn },
          Action: 'kms:Decrypt',
          Resource: '*',
        },
      ],
    });
    expect(await failure(kms.keys.create({ Policy: locked }, admin))).toBe(
      'MalformedPolicyDocumentException',
    );
    expect(await failure(kms.keys.create({ Policy: '{"Statement": []' }, admin))).toBe(
      'MalformedPolicyDocumentException',
    );
    const created = await kms.keys.create(
      { Policy: locked, BypassPolicyLockoutSafetyCheck: true },
      admin,
    );
    expect((await kms.keys.getPolicy({ KeyId: created.KeyMetadata.KeyId })).Policy).toBe(locked);
  });

  it('names keys by alias, refuses reserved and taken names, and moves aliases', async () => {
    const [first, second] = [await newKey(), await newKey()];
    await kms.aliases.create({ AliasName: 'alias/artifacts', TargetKeyId: first }, async () => {});
    expect((await encrypt('alias/artifacts', 'x')).KeyId).toContain(first);
    expect(
      await failure(
        kms.aliases.create({ AliasName: 'alias/artifacts', TargetKeyId: second }, async () => {}),
      ),
    ).toBe('AlreadyExistsException');
    expect(
      await failure(
        kms.aliases.create({ AliasName: 'alias/aws/mine', TargetKeyId: second }, async () => {}),
      ),
    ).toBe('InvalidAliasNameException');
    await kms.aliases.update({ AliasName: 'alias/artifacts', TargetKeyId: second }, async () => {});
    expect((await kms.keys.describe('alias/artifacts')).KeyMetadata.KeyId).toBe(second);
    await kms.aliases.delete('alias/artifacts', async () => {});
    expect(await failure(kms.keys.describe('alias/artifacts'))).toBe('NotFoundException');
  });

  it('pages ListKeys and ListAliases', async () => {
    for (let i = 0; i < 3; i += 1) {
      await kms.aliases.create(
        { AliasName: `alias/page-${i}`, TargetKeyId: await newKey() },
        async () => {},
      );
    }
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await kms.keys.list({ Limit: 2, ...(marker ? { Marker: marker } : {}) });
      seen.push(...page.Keys.map((k) => k.KeyId));
      marker = page.NextMarker;
    } while (marker);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe((await kms.keys.list({ Limit: 1000 })).Keys.length);
    const first = await kms.aliases.list({ Limit: 2 });
    expect(first).toMatchObject({ Truncated: true });
    const rest = await kms.aliases.list({ Marker: first.NextMarker });
    expect([...first.Aliases, ...rest.Aliases].map((a) => a.AliasName)).toEqual(
      expect.arrayContaining(['alias/page-0', 'alias/page-1', 'alias/page-2']),
    );
    expect(await failure(kms.keys.list({ Marker: 'nonsense' }))).toBe('InvalidMarkerException');
  });

  it('makes one AWS managed key per service, usable through KeyCipher, not deletable', async () => {
    const arns = await Promise.all(
      [1, 2, 3].map(() => kms.managedKeyArn('alias/aws/secretsmanager')),
    );
    expect(new Set(arns).size).toBe(1);
    const arn = arns[0] ?? '';
    const described = await kms.keys.describe(arn);
    expect(described.KeyMetadata).toMatchObject({ KeyManager: 'AWS', KeyState: 'Enabled' });
    expect(await kms.rotation.status(arn)).toMatchObject({ KeyRotationEnabled: true });
    const secret = { SecretId: 'GITHUB_TOKEN' };
    const dataKey = await kms.generateDataKey({
      keyId: 'alias/aws/secretsmanager',
      encryptionContext: secret,
    });
    expect(dataKey.keyArn).toBe(arn);
    expect(dataKey.plaintextKey).toHaveLength(32);
    const opened = await kms.decryptDataKey({
      encryptedKey: dataKey.encryptedKey,
      encryptionContext: secret,
    });
    expect(opened.plaintextKey.equals(dataKey.plaintextKey)).toBe(true);
    await expect(
      kms.decryptDataKey({ encryptedKey: dataKey.encryptedKey, encryptionContext: {} }),
    ).rejects.toMatchObject({ code: 'InvalidCiphertextException' });
    expect(await failure(kms.keys.scheduleDeletion({ KeyId: arn }))).toBe(
      'UnsupportedOperationException',
    );
    expect(
      await failure(kms.keys.putPolicy({ KeyId: arn, Policy: defaultKeyPolicy(scope) }, admin)),
    ).toBe('UnsupportedOperationException');
  });

  it('keeps no key material in clear in the store', async () => {
    const keyId = await newKey();
    const dataKey = await kms.generateDataKey({ keyId, encryptionContext: {} });
    for (const material of await store.kms.listMaterials(keyId)) {
      expect(material.sealedMaterial.startsWith('v1.')).toBe(true);
      expect(material.sealedMaterial).not.toContain(dataKey.plaintextKey.toString('base64'));
    }
  });
});
