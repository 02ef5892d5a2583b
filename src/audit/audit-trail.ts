/**
 * The one audit hook every API call passes through, allowed or refused (DESIGN.md principle
 * 2). Records carry CloudTrail's field names. Issue C adds the hash chain, Merkle checkpoints
 * and LookupEvents; this is the single place they will hook in.
 */
import type { AuditRecord, StateStore } from '../store/state-store.js';

export interface ApiCallRecord {
  eventSource: string;
  eventName: string;
  requestId: string;
  principalArn: string | null;
  accessKeyId: string | null;
  sourceIpAddress: string;
  userAgent: string;
  readOnly: boolean;
  /** Request parameters with secrets already removed by the operation; null if none. */
  requestParameters: unknown;
  error: { code: string; message: string } | null;
}

export class AuditTrail {
  constructor(private readonly store: StateStore) {}

  /** Appends one API call to the trail. */
  async recordCall(call: ApiCallRecord): Promise<void> {
    const record: AuditRecord = {
      eventTimeMs: Date.now(),
      eventSource: call.eventSource,
      eventName: call.eventName,
      requestId: call.requestId,
      principalArn: call.principalArn,
      accessKeyId: call.accessKeyId,
      sourceIpAddress: call.sourceIpAddress,
      userAgent: call.userAgent.slice(0, 1024),
      readOnly: call.readOnly,
      errorCode: call.error?.code ?? null,
      errorMessage: call.error?.message ?? null,
      requestParametersJson:
        call.requestParameters === null || call.requestParameters === undefined
          ? null
          : JSON.stringify(call.requestParameters),
    };
    await this.store.appendAudit(record);
  }
}
