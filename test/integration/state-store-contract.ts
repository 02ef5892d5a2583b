import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  PipelineNameTakenError,
  StaleVersionError,
  type AccessKeyRecord,
  type AuditRecord,
  type PipelineRecord,
  type StateStore,
} from '../../src/store/state-store.js';
import { openStateStore, type OpenStateStoreOptions } from '../../src/store/open-state-store.js';
import { auditRecordHash } from '../../src/audit/audit-record-hash.js';
import { migrateInChildProcesses } from './state-store-children.js';

/** A fresh, empty database that tests can open any number of stores on. */

/** Every numbered migration, in order; each dialect ships the same list. */
const ALL_MIGRATIONS = [
  '0001-initial',
  '0002-custom-action-types',
  '0003-executions-jobs-artifacts-connections',
  '0004-stage-transitions',
  '0005-audit-chain',
  '0006-iam',
  '0007-mfa',
  '0008-codebuild-projects',
  '0009-kms',
  '0010-secrets',
  '0011-execution-declarations',
  '0012-objects',
  '0013-connection-secret',
  '0014-audit-resources',
];

export interface StoreTarget {
  readonly options: OpenStateStoreOptions;
  /** Names recorded in Kysely's migration table, read with the raw driver. */
  migrationNames(): Promise<string[]>;
  /** Removes the database; every store on it is closed by then. */
  dispose(): Promise<void>;
}

const DECLARATION = await readFile(
  new URL(
    '../fixtures/pipelines/derived__awsdocs-pipeline-requirements__V2-MyPipeline.json',
    import.meta.url,
  ),
  'utf8',
);
/** 9999-12-31: well past 2^32, so a 32-bit or string round trip would show. */
const LATE_MS = 253_402_300_799_999;

function pipelineRecord(name: string, createdMs = 1_700_000_000_123): PipelineRecord {
  return {
    name,
    arn: `arn:aws:codepipeline:us-east-1:123456789012:${name}`,
    version: 1,
    pipelineType: 'V2',
    executionMode: 'QUEUED',
    createdMs,
    updatedMs: createdMs,
  };
}

function auditRecord(n: number): AuditRecord {
  return {
    eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    eventTimeMs: 1_700_000_000_000 + n,
    eventSource: 'codepipeline.amazonaws.com',
    eventName: n % 2 === 0 ? 'GetPipeline' : 'CreatePipeline',
    requestId: `req-${n}`,
    principalArn: n === 0 ? null : 'arn:aws:iam::123456789012:user/admin',
    accessKeyId: n === 0 ? null : 'AKIAEXAMPLE',
    sourceIpAddress: '127.0.0.1',
    userAgent: 'aws-cli/2.15.0',
    readOnly: n % 2 === 0,
    errorCode: n === 3 ? 'PipelineNotFoundException' : null,
    errorMessage: n === 3 ? 'pipeline x not found' : null,
    requestParametersJson: n === 0 ? null : JSON.stringify({ name: `p${n}` }),
    responseElementsJson: n === 4 ? '{"ok":true}' : null,
    formatVersion: 1,
    resourcesJson: null,
  };
}

/** The StateStore contract, run against every engine Lockstep supports. */
export function describeStateStoreContract(
  engine: 'sqlite' | 'postgres',
  createTarget: () => Promise<StoreTarget>,
): void {
  describe(`StateStore on ${engine}`, () => {
    let target: StoreTarget;
    let opened: StateStore[] = [];
    const open = async (): Promise<StateStore> => {
      const store = await openStateStore(target.options);
      opened.push(store);
      return store;
    };

    beforeEach(async () => {
      target = await createTarget();
    });
    afterEach(async () => {
      await Promise.all(opened.map((store) => store.close()));
      opened = [];
      await target.dispose();
    });

    it('migrates on open, and migrating again changes nothing', async () => {
      const store = await open();
      expect(store.dialect).toBe(engine);
      const applied = await target.migrationNames();
      expect(applied).toEqual(ALL_MIGRATIONS);
      await store.createPipeline(pipelineRecord('kept'), DECLARATION);

      await store.migrate();
      const second = await open();
      expect(await target.migrationNames()).toEqual(applied);
      expect((await second.getPipeline('kept'))?.name).toBe('kept');
    });

    it('migrates from two processes at once', async () => {
      const results = await migrateInChildProcesses(target.options, 2);
      // stderr in the comparison so that a failing child's error shows in the test output.
      const ok = { exitCode: 0, stderr: '' };
      expect(results.map(({ exitCode, stderr }) => ({ exitCode, stderr }))).toEqual([ok, ok]);
      // Both children ran initSetting after migrating; the first one's value is the one stored.
      const [first, second] = results;
      expect(first?.settingValue).toBeDefined();
      expect(second?.settingValue).toBe(first?.settingValue);
      expect(await target.migrationNames()).toEqual(ALL_MIGRATIONS);
      const store = await open();
      expect(await store.getSetting('first-migrator')).toBe(first?.settingValue);
    });

    it('creates and reads a pipeline, and refuses a taken name', async () => {
      const store = await open();
      const record = pipelineRecord('alpha', LATE_MS);
      await store.createPipeline(record, DECLARATION);
      expect(await store.getPipeline('alpha')).toEqual(record);
      expect(await store.getPipeline('nope')).toBeUndefined();
      await expect(store.createPipeline(pipelineRecord('alpha'), '{}')).rejects.toBeInstanceOf(
        PipelineNameTakenError,
      );
      expect((await store.getPipelineVersion('alpha', 1))?.declarationJson).toBe(DECLARATION);
    });

    it('lets exactly one of two racing creates of a name win', async () => {
      const store = await open();
      const outcomes = await Promise.allSettled([
        store.createPipeline(pipelineRecord('race'), '{"who":"a"}'),
        store.createPipeline(pipelineRecord('race'), '{"who":"b"}'),
      ]);
      const losers = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(losers).toHaveLength(1);
      expect(losers[0]?.reason).toBeInstanceOf(PipelineNameTakenError);
      const winner = outcomes[0]?.status === 'fulfilled' ? '{"who":"a"}' : '{"who":"b"}';
      expect((await store.getPipelineVersion('race', 1))?.declarationJson).toBe(winner);
    });

    it('keeps every version of a declaration', async () => {
      const store = await open();
      await store.createPipeline(pipelineRecord('versioned'), '{"v":1}');
      const next = { pipelineType: 'V1', executionMode: 'PARALLEL', updatedMs: LATE_MS };
      const v2 = await store.updatePipeline('versioned', 1, next, '{"v":2}');
      expect(v2).toEqual({ ...pipelineRecord('versioned'), ...next, version: 2 });
      await store.updatePipeline('versioned', 2, { ...next, updatedMs: LATE_MS + 1 }, '{"v":3}');
      expect((await store.getPipeline('versioned'))?.version).toBe(3);
      const versions = await Promise.all(
        [1, 2, 3].map((v) => store.getPipelineVersion('versioned', v)),
      );
      expect(versions.map((v) => v?.declarationJson)).toEqual(['{"v":1}', '{"v":2}', '{"v":3}']);
      expect(versions[2]).toEqual({
        name: 'versioned',
        version: 3,
        declarationJson: '{"v":3}',
        createdMs: LATE_MS + 1,
      });
      expect(await store.getPipelineVersion('versioned', 4)).toBeUndefined();
    });

    it('updates only from the current version', async () => {
      const store = await open();
      await store.createPipeline(pipelineRecord('cas'), '{"v":1}');
      const next = { pipelineType: 'V2', executionMode: 'QUEUED', updatedMs: 1_800_000_000_000 };
      await store.updatePipeline('cas', 1, next, '{"v":2}');
      await expect(store.updatePipeline('cas', 1, next, '{"stale":true}')).rejects.toBeInstanceOf(
        StaleVersionError,
      );
      const racing = await Promise.allSettled([
        store.updatePipeline('cas', 2, next, '{"who":"a"}'),
        store.updatePipeline('cas', 2, next, '{"who":"b"}'),
      ]);
      expect(racing.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      const loser = racing.find((outcome) => outcome.status === 'rejected');
      expect(loser?.reason).toBeInstanceOf(StaleVersionError);
      expect((await store.getPipeline('cas'))?.version).toBe(3);
      expect(await store.getPipelineVersion('cas', 4)).toBeUndefined();
      expect(await store.updatePipeline('gone', 1, next, '{}')).toBeUndefined();
    });

    it('deletes a pipeline with its versions and tags', async () => {
      const store = await open();
      const record = pipelineRecord('doomed');
      const other = pipelineRecord('survivor');
      await store.createPipeline(record, '{"v":1}');
      await store.createPipeline(other, '{}');
      await store.updatePipeline('doomed', 1, { ...record, updatedMs: 2 }, '{"v":2}');
      await store.putTags(record.arn, [{ key: 'team', value: 'red' }]);
      await store.putTags(other.arn, [{ key: 'team', value: 'blue' }]);

      expect(await store.deletePipeline('doomed')).toBe(true);
      expect(await store.getPipeline('doomed')).toBeUndefined();
      expect(await store.getPipelineVersion('doomed', 1)).toBeUndefined();
      expect(await store.getPipelineVersion('doomed', 2)).toBeUndefined();
      expect(await store.listTags(record.arn)).toEqual([]);
      expect(await store.listTags(other.arn)).toEqual([{ key: 'team', value: 'blue' }]);
      expect(await store.deletePipeline('doomed')).toBe(false);
      // The name is free again and starts over at version 1.
      await store.createPipeline(record, '{"reborn":true}');
      expect((await store.getPipelineVersion('doomed', 1))?.declarationJson).toBe(
        '{"reborn":true}',
      );
    });

    it('lists pipelines in byte-wise name order, a page at a time', async () => {
      const store = await open();
      const names = ['b', 'a_c', 'A', 'aB', 'c', 'a-b', 'a', 'Z9'];
      for (const name of names) await store.createPipeline(pipelineRecord(name), '{}');
      const pages: string[][] = [];
      let after: string | undefined;
      for (;;) {
        const page = await store.listPipelines(after, 3);
        if (page.length === 0) break;
        pages.push(page.map((pipeline) => pipeline.name));
        after = page.at(-1)?.name;
      }
      expect(pages).toEqual([
        ['A', 'Z9', 'a'],
        ['a-b', 'aB', 'a_c'],
        ['b', 'c'],
      ]);
      expect(await store.listPipelines(undefined, 1)).toEqual([pipelineRecord('A')]);
    });

    it('adds, overwrites and removes tags per resource', async () => {
      const store = await open();
      const arn = 'arn:aws:codepipeline:us-east-1:123456789012:tagged';
      await store.putTags(arn, [
        { key: 'k2', value: 'v2' },
        { key: 'k1', value: 'v1' },
      ]);
      await store.putTags(arn, [
        { key: 'k2', value: 'v2b' },
        { key: 'k3', value: '' },
      ]);
      await store.putTags(`${arn}-other`, [{ key: 'k1', value: 'elsewhere' }]);
      await store.putTags(arn, []);
      expect(await store.listTags(arn)).toEqual([
        { key: 'k1', value: 'v1' },
        { key: 'k2', value: 'v2b' },
        { key: 'k3', value: '' },
      ]);
      await store.removeTags(arn, ['k1', 'absent']);
      await store.removeTags(arn, []);
      expect((await store.listTags(arn)).map((tag) => tag.key)).toEqual(['k2', 'k3']);
      expect(await store.listTags(`${arn}-other`)).toEqual([{ key: 'k1', value: 'elsewhere' }]);
    });

    it('initialises a setting once, even when calls race', async () => {
      const store = await open();
      expect(await store.getSetting('account-id')).toBeUndefined();
      const values = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.initSetting('account-id', `candidate-${i}`)),
      );
      expect(new Set(values).size).toBe(1);
      const [stored] = values;
      expect(stored).toMatch(/^candidate-\d$/);
      expect(await store.initSetting('account-id', 'later')).toBe(stored);
      expect(await store.getSetting('account-id')).toBe(stored);
    });

    it('stores access keys and overwrites them on put', async () => {
      const store = await open();
      const key: AccessKeyRecord = {
        accessKeyId: 'AKIAEXAMPLE0001',
        principalArn: 'arn:aws:iam::123456789012:user/admin',
        userName: 'admin',
        secretCiphertext: 'v1:sealed:abc',
        status: 'Active',
        createdMs: LATE_MS,
      };
      await store.putAccessKey(key);
      expect(await store.getAccessKey(key.accessKeyId)).toEqual(key);
      await store.putAccessKey({ ...key, status: 'Inactive' });
      expect(await store.getAccessKey(key.accessKeyId)).toEqual({ ...key, status: 'Inactive' });
      expect(await store.getAccessKey('AKIAMISSING')).toBeUndefined();
    });

    it('appends audit records and lists them in order, a page at a time', async () => {
      const store = await open();
      for (let n = 0; n < 5; n++) await store.appendAudit(auditRecord(n), auditRecordHash);
      const all = await store.listAudit(0, 100);
      expect(all.map(({ sequence: _, prevHash: _p, recordHash: _r, ...record }) => record)).toEqual(
        [0, 1, 2, 3, 4].map(auditRecord),
      );
      const sequences = all.map((record) => record.sequence);
      expect(sequences.every((seq, i) => i === 0 || seq > (sequences[i - 1] ?? Infinity))).toBe(
        true,
      );
      const page = await store.listAudit(sequences[1] ?? -1, 2);
      expect(page.map((record) => record.requestId)).toEqual(['req-2', 'req-3']);
      expect(await store.listAudit(sequences[4] ?? -1, 10)).toEqual([]);
    });

    it('chains concurrent audit appends one after another, never forking', async () => {
      const store = await open();
      await Promise.all(
        Array.from({ length: 20 }, (_, n) => store.appendAudit(auditRecord(n), auditRecordHash)),
      );
      const all = await store.listAudit(0, 100);
      expect(all.map((record) => record.sequence)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      expect(new Set(all.map((record) => record.requestId)).size).toBe(20);
      all.forEach((record, i) => {
        expect(record.prevHash).toBe(all[i - 1]?.recordHash ?? '0'.repeat(64));
        expect(record.recordHash).toBe(auditRecordHash(record, record.prevHash));
      });
    });
  });
}
