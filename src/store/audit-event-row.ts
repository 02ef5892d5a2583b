import type { AuditEventRow, NewAuditEventRow } from './schema.js';
import type { AuditFormatVersion, StoredAuditRecord } from './state-store.js';

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
    format_version: record.formatVersion,
    resources_json: record.resourcesJson,
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
    formatVersion: toFormatVersion(row.format_version),
    resourcesJson: row.resources_json,
    prevHash: row.prev_hash ?? '',
    recordHash: row.record_hash ?? '',
  };
}

/**
 * The stored version as the hash knows it. A number this code does not know (a newer server
 * wrote it, or someone changed it) is passed through, so the hash refuses it by name rather
 * than checking the record in the wrong format. PostgreSQL's integer arrives as a number.
 */
function toFormatVersion(stored: number): AuditFormatVersion {
  return Number(stored) as AuditFormatVersion;
}

/** The index rows LookupEvents finds a record's resources by, from its resources JSON. */
export function toAuditResourceRows(
  record: StoredAuditRecord,
): { sequence: number; resource_name: string; resource_type: string }[] {
  if (record.resourcesJson === null) return [];
  const resources = JSON.parse(record.resourcesJson) as { name: string; type: string }[];
  return resources.map((resource) => ({
    sequence: record.sequence,
    resource_name: resource.name,
    resource_type: resource.type,
  }));
}
