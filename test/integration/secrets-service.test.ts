/**
 * The Secrets Manager service over the real state store (SQLite always, PostgreSQL with
 * LOCKSTEP_TEST_DATABASE_URL) and the real KMS key service: staging under concurrent writers,
 * ClientRequestToken idempotency, the recovery window ending, envelope encryption bound to the
 * secret and version, re-encryption under a new key, a disabled key, and run-time resolution
 * authorized for the reading principal.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthorizer } from '../../src/iam/authorize.js';
import type { Principal } from '../../src/iam/principal.js';
import { PrincipalPolicyLoader } from '../../src/iam/principal-policies.js';
import { KeyService } from '../../src/kms/key-service.js';
import { RootKey } from '../../src/kms/root-key.js';
import type { AuthorizeKeyUse } from '../../src/secrets/secret-value-cipher.js';
import { SecretService } from '../../src/secrets/secret-service.js';
import { openStateStore } from '../../src/store/open-state-store.js';
import type { StateStore } from '../../src/store/state-store.js';
import {
  createTestDatabase,
  reportPostgresSkipped,
  TEST_DATABASE_URL,
} from '../support/postgres.js';

reportPostgresSkipped('secrets-service');

const DAY = 86_400_000;
const scope = { accountId: '123456789012', region: 'us-east-1' };
const admin: Principal = {
  arn: 'arn:aws:iam::123456789012:user/lockstep-admin',
  accountId: scope.accountId,
  userName: 'lockstep-admin',
  accessKeyId: 'AKIAADMINEXAMPLE0001',
  isBootstrapAdmin: true,
};
const stranger: Principal = {
  arn: 'arn:aws:iam::123456789012:user/stranger',
  accountId: scope.accountId,
  userName: 'stranger',
  accessKeyId: 'AKIASTRANGEREXAMPLE1',
  isBootstrapAdmin: false,
};
/** The administrator's use of a key (the API passes the caller's authorizeAlso). */
const asAdmin: AuthorizeKeyUse = () => Promise.resolve();

/** Expects `call` to fail with the AWS exception `code` (and a message matching `message`). */
async function refused(call: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e as { code?: string; message?: string },
  );
  expect(error?.code, `expected ${code}`).toBe(code);
  if (message) expect(error?.message).toMatch(message);
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe.skipIf(engine === 'postgres' && !TEST_DATABASE_URL)(`secrets on ${engine}`, () => {
    let store: StateStore;
    let dispose: () => Promise<void>;
    let kms: KeyService;
    let secrets: SecretService;
    let nowMs = Date.UTC(2026, 5, 1);
    const clock = () => nowMs;

    beforeAll(async () => {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'lockstep-secrets-'));
      if (engine === 'sqlite') {
        store = await openStateStore({ dataDir });
        dispose = () => rm(dataDir, { recursive: true, force: true });
      } else {
        const database = await createTestDatabase();
        store = await openStateStore({ dataDir: '/nonexistent-unused', databaseUrl: database.url });
        dispose = async () => {
          await database.drop();
          await rm(dataDir, { recursive: true, force: true });
        };
      }
      const rootKey = await RootKey.loadOrCreate(path.join(dataDir, 'keys', 'root.key'), true);
      kms = new KeyService(store.kms, rootKey, scope, clock);
      const authorize = createAuthorizer(new PrincipalPolicyLoader(store), clock, (arn) =>
        kms.accessRule(arn),
      );
      secrets = new SecretService(store.secrets, kms, scope, authorize, clock);
    });
    afterAll(async () => {
      await store?.close();
      await dispose?.();
    });

    it('keeps one AWSCURRENT and one AWSPREVIOUS under concurrent PutSecretValue from two replicas', async () => {
      const created = await secrets.create({ Name: 'race', SecretString: 'v0' }, asAdmin);
      // A second replica on the same database: only the compare-and-set keeps them apart.
      const replica = new SecretService(store.secrets, kms, scope, () => Promise.resolve(), clock);
      const puts = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 === 0 ? secrets : replica).putValue(
            { SecretId: 'race', SecretString: `v${i + 1}` },
            asAdmin,
          ),
        ),
      );
      const described = await secrets.catalog.describe('race');
      const stages = Object.entries(described.VersionIdsToStages ?? {});
      expect(stages.filter(([, s]) => s.includes('AWSCURRENT'))).toHaveLength(1);
      expect(stages.filter(([, s]) => s.includes('AWSPREVIOUS'))).toHaveLength(1);
      expect((await store.secrets.listVersions(created.ARN)).length).toBe(9);
      // Every write was applied in some order: the current one is one of the eight, and the
      // previous one is whichever was current just before it.
      const current = await secrets.getValue({ SecretId: 'race' }, asAdmin);
      expect(puts.map((p) => p.VersionId)).toContain(current.VersionId);
    });

    it('treats a retried token with the same value as one write, another value as a conflict', async () => {
      const token = 'a'.repeat(32);
      const first = await secrets.create(
        { Name: 'idem', SecretString: 's3cr3t', ClientRequestToken: token },
        asAdmin,
      );
      const again = await secrets.create(
        { Name: 'idem', SecretString: 's3cr3t', ClientRequestToken: token },
        asAdmin,
      );
      expect(again).toEqual(first);
      await refused(
        secrets.create({ Name: 'idem', SecretString: 'other', ClientRequestToken: token }, asAdmin),
        'ResourceExistsException',
        /can't modify an existing version/,
      );
      await refused(
        secrets.create({ Name: 'idem', SecretString: 's3cr3t' }, asAdmin),
        'ResourceExistsException',
        /The operation failed because the secret idem already exists/,
      );
      const put = { SecretId: 'idem', SecretString: 'next', ClientRequestToken: 'b'.repeat(32) };
      await secrets.putValue(put, asAdmin);
      await secrets.putValue(put, asAdmin);
      expect((await store.secrets.listVersions(first.ARN)).length).toBe(2);
      await refused(
        secrets.putValue({ ...put, SecretString: 'changed' }, asAdmin),
        'ResourceExistsException',
      );
    });

    it('deletes a secret and every version for good when its recovery window ends', async () => {
      const { ARN } = await secrets.create({ Name: 'windowed', SecretString: 'x' }, asAdmin);
      const deleted = await secrets.delete({ SecretId: 'windowed', RecoveryWindowInDays: 7 });
      expect(deleted.DeletionDate.getTime()).toBe(nowMs + 7 * DAY);
      await refused(
        secrets.create({ Name: 'windowed', SecretString: 'y' }, asAdmin),
        'InvalidRequestException',
        /already scheduled for deletion/,
      );
      nowMs += 7 * DAY - 1;
      expect((await secrets.catalog.describe('windowed')).DeletedDate).toEqual(
        deleted.DeletionDate,
      );
      nowMs += 1;
      await refused(secrets.catalog.describe(ARN), 'ResourceNotFoundException');
      expect(await store.secrets.getByArn(ARN)).toBeUndefined();
      expect(await store.secrets.listVersions(ARN)).toEqual([]);
      // The name is free again, under a new ARN.
      const recreated = await secrets.create({ Name: 'windowed', SecretString: 'z' }, asAdmin);
      expect(recreated.ARN).not.toBe(ARN);
    });

    it('binds each ciphertext to its secret and version', async () => {
      const a = await secrets.create({ Name: 'bound-a', SecretString: 'alpha' }, asAdmin);
      const b = await secrets.create({ Name: 'bound-b', SecretString: 'bravo' }, asAdmin);
      const [versionA] = await store.secrets.listVersions(a.ARN);
      const secretB = await store.secrets.getByArn(b.ARN);
      if (!versionA || !secretB || !b.VersionId) throw new Error('fixtures missing');
      // Someone with write access to the database swaps b's ciphertext for a's.
      await store.secrets.update({
        secret: secretB,
        expectedRevision: secretB.revision,
        putVersions: [{ ...versionA, secretArn: b.ARN, versionId: b.VersionId }],
      });
      await refused(
        secrets.getValue({ SecretId: 'bound-b' }, asAdmin),
        'DecryptionFailure',
        /InvalidCiphertextException/,
      );
      expect((await secrets.getValue({ SecretId: 'bound-a' }, asAdmin)).SecretString).toBe('alpha');
    });

    it('seals the labelled versions again under a new KMS key, and fails while it is disabled', async () => {
      const key = await kms.keys.create({ Description: 'secrets' }, { principalArn: admin.arn });
      const keyArn = key.KeyMetadata.Arn;
      const { ARN } = await secrets.create({ Name: 'rekeyed', SecretString: 'one' }, asAdmin);
      await secrets.putValue({ SecretId: 'rekeyed', SecretString: 'two' }, asAdmin);
      const managed = await kms.managedKeyArn('alias/aws/secretsmanager');
      expect((await store.secrets.listVersions(ARN)).map((v) => v.keyArn)).toEqual([
        managed,
        managed,
      ]);
      await secrets.update({ SecretId: 'rekeyed', KmsKeyId: keyArn }, asAdmin);
      expect((await store.secrets.listVersions(ARN)).map((v) => v.keyArn)).toEqual([
        keyArn,
        keyArn,
      ]);
      expect((await secrets.catalog.describe('rekeyed')).KmsKeyId).toBe(keyArn);
      const previous = { SecretId: 'rekeyed', VersionStage: 'AWSPREVIOUS' };
      expect((await secrets.getValue(previous, asAdmin)).SecretString).toBe('one');
      await kms.keys.disable(keyArn);
      await refused(secrets.getValue(previous, asAdmin), 'DecryptionFailure', /DisabledException/);
      await refused(
        secrets.putValue({ SecretId: 'rekeyed', SecretString: 'three' }, asAdmin),
        'EncryptionFailure',
        /DisabledException/,
      );
      await kms.keys.enable(keyArn);
      expect((await secrets.getValue(previous, asAdmin)).SecretString).toBe('one');
    });

    it('resolves a value only for a principal allowed secretsmanager:GetSecretValue', async () => {
      await secrets.create({ Name: 'deploy/token', SecretString: '{"KEY":"v"}' }, asAdmin);
      const resolved = await secrets.resolveValue('deploy/token', admin);
      expect(resolved).toMatchObject({ name: 'deploy/token', secretString: '{"KEY":"v"}' });
      await refused(
        secrets.resolveValue('deploy/token', stranger),
        'AccessDeniedException',
        /stranger is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:deploy\/token-[A-Za-z0-9]{6}/,
      );
    });

    it('lists overdue secrets: rotation on and the next date passed', async () => {
      await secrets.create({ Name: 'rotated', SecretString: 'r1' }, asAdmin);
      await secrets.catalog.rotate({
        SecretId: 'rotated',
        RotationRules: { AutomaticallyAfterDays: 10 },
        RotateImmediately: false,
      });
      expect((await secrets.catalog.overdue()).map((s) => s.name)).not.toContain('rotated');
      nowMs += 10 * DAY;
      expect((await secrets.catalog.overdue()).map((s) => s.name)).toContain('rotated');
      await secrets.putValue({ SecretId: 'rotated', SecretString: 'r2' }, asAdmin);
      expect((await secrets.catalog.overdue()).map((s) => s.name)).not.toContain('rotated');
      const described = await secrets.catalog.describe('rotated');
      expect(described.LastRotatedDate?.getTime()).toBe(nowMs);
      expect(described.NextRotationDate?.getTime()).toBe(nowMs + 10 * DAY);
    });
  });
}
