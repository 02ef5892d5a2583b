/**
 * The store's side of the chain on both engines: rows written before migration 0005 are
 * sealed once by the next append, and a head whose hash was removed after the chain began
 * stops appends instead of being laundered into a fresh chain.
 */
import { rawStoreTargets, type RawStoreTarget } from '../support/raw-store-targets.js';
import { afterEach, describe, expect, it } from 'vitest';
import { auditRecordHash } from '../../src/audit/audit-record-hash.js';
import { verifyTrail } from '../../src/audit/verify-trail.js';
import { AuditChainBrokenError } from '../../src/store/audit-queries.js';
import type { AuditRecord } from '../../src/store/state-store.js';

const LEGACY_ROW = `insert into audit_events (event_time_ms, event_source, event_name, request_id,
  source_ip_address, user_agent, read_only) values (1700000000000, 'codepipeline.amazonaws.com',
  'ListPipelines', 'old', '127.0.0.1', 'aws-cli', 1)`;

function record(n: number): AuditRecord {
  return {
    eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    eventTimeMs: 1_700_000_001_000 + n,
    eventSource: 'codepipeline.amazonaws.com',
    eventName: 'GetPipeline',
    requestId: `req-${n}`,
    principalArn: null,
    accessKeyId: null,
    sourceIpAddress: '127.0.0.1',
    userAgent: 'test',
    readOnly: true,
    errorCode: null,
    errorMessage: null,
    requestParametersJson: null,
    responseElementsJson: null,
    formatVersion: 1,
    resourcesJson: null,
  };
}

const engines = rawStoreTargets('lockstep-audit-chain-', 'audit-store-chain.test.ts');

describe.each(engines)('the audit chain in the store on %s', (_engine, createTarget) => {
  let target: RawStoreTarget | undefined;
  afterEach(async () => {
    await target?.dispose();
    target = undefined;
  });

  it('seals rows older than the chain once, from the genesis hash', async () => {
    target = await createTarget();
    await target.exec(`${LEGACY_ROW}; ${LEGACY_ROW}`);
    const appended = await target.store.appendAudit(record(3), auditRecordHash);
    expect(appended.sequence).toBe(3);
    const all = await target.store.listAudit(0, 10);
    expect(all.map((r) => r.eventId).every((id) => /^[0-9a-f-]{36}$/.test(id))).toBe(true);
    expect(all[0]?.prevHash).toBe('0'.repeat(64));
    expect(all[2]?.prevHash).toBe(all[1]?.recordHash);
    expect(await verifyTrail(target.store, [])).toMatchObject({ ok: true, records: 3 });
  });

  it('refuses to append after the newest record lost its hash', async () => {
    target = await createTarget();
    for (let n = 1; n <= 3; n++) await target.store.appendAudit(record(n), auditRecordHash);
    await target.exec('update audit_events set record_hash = null where sequence = 3');
    await expect(target.store.appendAudit(record(4), auditRecordHash)).rejects.toBeInstanceOf(
      AuditChainBrokenError,
    );
    expect(await target.store.listAudit(0, 10)).toHaveLength(3);
  });
});
