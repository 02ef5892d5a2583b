import type { AuditEventRow, NewAuditEventRow } from './schema.js';
import type { StoredAuditRecord } from './state-store.js';

/** Maps a sealed audit record to the row appended to audit_events. */
export function toAuditEventRow(record: StoredAuditRecord): NewAuditEventRow {
  return {
    sequence: record.sequence,
    event_id: record.eventId,
    event_time_ms: record.eventTimeMs,
    event_source: record.eventSource,
    event_name: record.eventName,
    request_id: record.requestId,
    principal_arn: record.principalArn,
    access_key_id: record.accessKeyId,
    source_ip_address: record.sourceIpAddress,
    user_agent: record.userAgent,
    read_only: record.readOnly ? 1 : 0,
    error_code: record.errorCode,
    error_message: record.errorMessage,
    request_parameters_json: record.requestParametersJson,
    response_elements_json: record.responseElementsJson,
    prev_hash: record.prevHash,
    record_hash: record.recordHash,
  };
}

/** Maps a stored audit_events row back to the record, with its sequence and chain link. */
export function toStoredAuditRecord(row: AuditEventRow): StoredAuditRecord {
  return {
    sequence: row.sequence,
    // '' only on a row older than the chain that no append has sealed yet.
    eventId: row.event_id ?? '',
    eventTimeMs: row.event_time_ms,
    eventSource: row.event_source,
    eventName: row.event_name,
    requestId: row.request_id,
    principalArn: row.principal_arn,
    accessKeyId: row.access_key_id,
    sourceIpAddress: row.source_ip_address,
    userAgent: row.user_agent,
    readOnly: row.read_only === 1,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    requestParametersJson: row.request_parameters_json,
    responseElementsJson: row.response_elements_json,
    prevHash: row.prev_hash ?? '',
    recordHash: row.record_hash ?? '',
  };
}
