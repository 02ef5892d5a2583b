import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RootKey } from '../../kms/root-key.js';
import { openStateStore } from '../../store/open-state-store.js';
import type { StateStore } from '../../store/state-store.js';
import { createAccessKey } from '../access-keys.js';
import { resolveSession, sessionPrincipal } from './resolve-session.js';
import { issueSession, isSessionAccessKeyId, type SessionTemplate } from './session-credentials.js';

const NOW = Date.UTC(2026, 0, 1);
const USER_ARN = 'arn:aws:iam::123456789012:user/dev';

describe('session credentials and their resolution', () => {
  let dir: string;
  let store: StateStore;
  let rootKey: RootKey;
  let sourceKeyId: string;
  const template = (over: Partial<SessionTemplate> = {}): SessionTemplate => ({
    sourceAccessKeyId: sourceKeyId,
    userName: 'dev',
    principalArn: USER_ARN,
    roleArn: null,
    roleName: null,
    roleId: null,
    sessionName: null,
    mfaAuthenticatedMs: null,
    sessionPolicy: null,
    sessionPolicyArns: [],
    ...over,
  });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lockstep-sts-'));
    store = await openStateStore({ dataDir: dir });
    rootKey = await RootKey.loadOrCreate(path.join(dir, 'root.key'), true);
    ({ accessKeyId: sourceKeyId } = await createAccessKey(store, rootKey, {
      principalArn: USER_ARN,
      userName: 'dev',
    }));
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('issues ASIA keys and lsts1_ tokens, and stores neither secret nor token in clear', async () => {
    const creds = await issueSession({ store, rootKey, nowMs: NOW }, template(), 900);
    expect(creds.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(isSessionAccessKeyId(creds.AccessKeyId)).toBe(true);
    expect(isSessionAccessKeyId(sourceKeyId)).toBe(false);
    expect(creds.SessionToken).toMatch(/^lsts1_[A-Za-z0-9_-]{43}$/);
    expect(creds.Expiration.getTime()).toBe(NOW + 900_000);
    const stored = await store.mfa.getSession(creds.AccessKeyId);
    const text = JSON.stringify(stored);
    expect(text).not.toContain(creds.SecretAccessKey);
    expect(text).not.toContain(creds.SessionToken);
    expect(stored?.tokenSha256).toBe(createHash('sha256').update(creds.SessionToken).digest('hex'));
  });

  it('matches only the exact token, and says when the session has expired', async () => {
    const creds = await issueSession({ store, rootKey, nowMs: NOW }, template(), 900);
    const resolve = (token: string | undefined, nowMs = NOW) =>
      resolveSession(store, rootKey, creds.AccessKeyId, token, nowMs);
    const good = await resolve(creds.SessionToken);
    expect(good).toMatchObject({ tokenMatches: true, expired: false });
    expect(good?.secretAccessKey).toBe(creds.SecretAccessKey);
    const forged = `${creds.SessionToken.slice(0, -1)}${creds.SessionToken.endsWith('A') ? 'B' : 'A'}`;
    expect((await resolve(forged))?.tokenMatches).toBe(false);
    expect((await resolve(undefined))?.tokenMatches).toBe(false);
    expect((await resolve(''))?.tokenMatches).toBe(false);
    expect((await resolve(creds.SessionToken, NOW + 899_999))?.expired).toBe(false);
    expect((await resolve(creds.SessionToken, NOW + 900_000))?.expired).toBe(true);
    expect(await resolveSession(store, rootKey, 'ASIAAAAAAAAAAAAAAAAA', undefined, NOW)).toBe(
      undefined,
    );
  });

  it('dies with its source key: deactivated, then deleted', async () => {
    const { accessKeyId } = await createAccessKey(store, rootKey, {
      principalArn: USER_ARN,
      userName: 'dev',
    });
    const creds = await issueSession(
      { store, rootKey, nowMs: NOW },
      template({ sourceAccessKeyId: accessKeyId }),
      900,
    );
    const resolve = () =>
      resolveSession(store, rootKey, creds.AccessKeyId, creds.SessionToken, NOW);
    expect(await resolve()).toBeDefined();
    const key = await store.getAccessKey(accessKeyId);
    if (!key) throw new Error('key vanished');
    await store.putAccessKey({ ...key, status: 'Inactive' });
    expect(await resolve()).toBeUndefined();
    await store.putAccessKey(key);
    expect(await resolve()).toBeDefined();
    await store.deleteAccessKey(accessKeyId);
    expect(await resolve()).toBeUndefined();
  });

  it('keeps expired sessions a day, so their callers hear "expired", then forgets them', async () => {
    const old = await issueSession({ store, rootKey, nowMs: NOW }, template(), 900);
    const dayLater = NOW + 900_000 + 24 * 3600_000;
    await issueSession({ store, rootKey, nowMs: dayLater - 1 }, template(), 900);
    expect(await store.mfa.getSession(old.AccessKeyId)).toBeDefined();
    await issueSession({ store, rootKey, nowMs: dayLater + 1 }, template(), 900);
    expect(await store.mfa.getSession(old.AccessKeyId)).toBeUndefined();
  });

  it('makes a role session act as its role, never as the administrator or a user', () => {
    const base = {
      accessKeyId: 'ASIAAAAAAAAAAAAAAAAA',
      secretCiphertext: '',
      tokenSha256: '',
      expiresMs: NOW,
      createdMs: NOW,
    };
    const adminSession = sessionPrincipal(
      { ...base, ...template({ mfaAuthenticatedMs: NOW }) },
      '123456789012',
      sourceKeyId,
    );
    expect(adminSession).toMatchObject({
      arn: USER_ARN,
      userName: 'dev',
      isBootstrapAdmin: true,
      session: { mfaAuthenticatedAtMs: NOW },
    });
    const roleArn = 'arn:aws:iam::123456789012:role/r';
    const role = sessionPrincipal(
      {
        ...base,
        ...template({
          principalArn: 'arn:aws:sts::123456789012:assumed-role/r/s',
          roleArn,
          roleName: 'r',
          roleId: 'AROAEXAMPLE',
          sessionName: 's',
          sessionPolicy: '{}',
        }),
      },
      '123456789012',
      sourceKeyId,
    );
    expect(role).toMatchObject({
      arn: 'arn:aws:sts::123456789012:assumed-role/r/s',
      userName: '',
      isBootstrapAdmin: false,
      session: { roleArn, roleName: 'r', sessionName: 's', sessionPolicy: '{}' },
    });
  });
});
