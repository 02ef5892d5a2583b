import type { AuditEventRow, NewAuditEventRow } from './schema.js';
import type { AuditRecord, StoredAuditRecord } from './state-store.js';

/** Maps an audit record to the row appended to audit_events. */
export function toAuditEventRow(record: AuditRecord): NewAuditEventRow {
  return {
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
  };
}

/** Maps a stored audit_events row back to the record, with its sequence number. */
export function toStoredAuditRecord(row: AuditEventRow): StoredAuditRecord {
  return {
    sequence: row.sequence,
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
  };
}
