import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AUDIT_GENESIS_HASH, type SequencedAuditRecord } from '../store/state-store.js';
import { auditRecordHash, canonicalAuditBytes } from './audit-record-hash.js';

const RECORD: SequencedAuditRecord = {
  sequence: 1,
  eventId: '6f2c1d0e-0000-4000-8000-000000000001',
  eventTimeMs: 1_700_000_000_123,
  eventSource: 'codepipeline.amazonaws.com',
  eventName: 'GetPipeline',
  requestId: 'req-1',
  principalArn: 'arn:aws:iam::123456789012:user/lockstep-admin',
  accessKeyId: 'AKIAEXAMPLE',
  sourceIpAddress: '127.0.0.1',
  userAgent: 'aws-cli/1.45 "quoted" é',
  readOnly: true,
  errorCode: 'PipelineNotFoundException',
  errorMessage: 'not found',
  requestParametersJson: '{"name":"missing"}',
  responseElementsJson: null,
  formatVersion: 1,
  resourcesJson: null,
};

describe('audit record hash', () => {
  it('hashes the documented canonical JSON: sorted members, stored JSON as text', () => {
    expect(canonicalAuditBytes(RECORD).toString('utf8')).toBe(
      '{"accessKeyId":"AKIAEXAMPLE","errorCode":"PipelineNotFoundException",' +
        '"errorMessage":"not found","eventID":"6f2c1d0e-0000-4000-8000-000000000001",' +
        '"eventName":"GetPipeline","eventSource":"codepipeline.amazonaws.com",' +
        '"eventTimeMs":1700000000123,' +
        '"principalArn":"arn:aws:iam::123456789012:user/lockstep-admin","readOnly":true,' +
        '"requestID":"req-1","requestParametersJson":"{\\"name\\":\\"missing\\"}",' +
        '"responseElementsJson":null,"sequence":1,"sourceIPAddress":"127.0.0.1",' +
        '"userAgent":"aws-cli/1.45 \\"quoted\\" é","version":1}',
    );
  });

  it('hashes version 2 with the resources text between the request and the response', () => {
    const resourcesJson =
      '[{"ARN":"arn:aws:codepipeline:us-east-1:123456789012:p","accountId":"123456789012",' +
      '"type":"AWS::CodePipeline::Pipeline","name":"p"}]';
    const v2 = { ...RECORD, formatVersion: 2 as const, resourcesJson };
    const bytes = canonicalAuditBytes(v2).toString('utf8');
    expect(bytes).toBe(
      canonicalAuditBytes(RECORD)
        .toString('utf8')
        .replace(
          '"responseElementsJson":null',
          `"resourcesJson":${JSON.stringify(resourcesJson)},"responseElementsJson":null`,
        )
        .replace('"version":1}', '"version":2}'),
    );
    expect(bytes).toContain(
      '"requestParametersJson":"{\\"name\\":\\"missing\\"}","resourcesJson":"[{\\"ARN\\"',
    );
    expect(auditRecordHash(v2, AUDIT_GENESIS_HASH)).not.toBe(
      auditRecordHash(
        { ...v2, resourcesJson: resourcesJson.replace('"p"}', '"q"}') },
        AUDIT_GENESIS_HASH,
      ),
    );
    // A version 1 record hashes as it always did, whatever resourcesJson holds.
    expect(auditRecordHash({ ...RECORD, resourcesJson }, AUDIT_GENESIS_HASH)).toBe(
      auditRecordHash(RECORD, AUDIT_GENESIS_HASH),
    );
    expect(() => canonicalAuditBytes({ ...RECORD, formatVersion: 3 as unknown as 1 })).toThrow(
      /unknown audit record format version 3/,
    );
  });

  it('is SHA-256 over the previous hash as raw bytes, then the canonical bytes', () => {
    const expected = createHash('sha256')
      .update(Buffer.alloc(32))
      .update(canonicalAuditBytes(RECORD))
      .digest('hex');
    expect(auditRecordHash(RECORD, AUDIT_GENESIS_HASH)).toBe(expected);
  });

  it('changes when any member, the position or the predecessor changes', () => {
    const base = auditRecordHash(RECORD, AUDIT_GENESIS_HASH);
    const variants: Partial<SequencedAuditRecord>[] = [
      { sequence: 2 },
      { eventName: 'GetPipelinf' },
      { readOnly: false },
      { principalArn: null },
      { requestParametersJson: '{"name": "missing"}' },
      { responseElementsJson: '{}' },
      { eventTimeMs: RECORD.eventTimeMs + 1 },
    ];
    for (const variant of variants) {
      expect(auditRecordHash({ ...RECORD, ...variant }, AUDIT_GENESIS_HASH)).not.toBe(base);
    }
    expect(auditRecordHash(RECORD, base)).not.toBe(base);
  });

  it('refuses a predecessor hash that is not 64 lowercase hex digits', () => {
    expect(() => auditRecordHash(RECORD, 'abc')).toThrow(/64 lowercase hex/);
    expect(() => auditRecordHash(RECORD, 'A'.repeat(64))).toThrow(/64 lowercase hex/);
  });
});
