/**
 * The audit chain's record hash, format versions 1 and 2 (docs/audit-trail.md has the same
 * text). Each record stores its version (audit_events.format_version); the hash, and so the
 * verifier, uses the canonical form of that version, so records written before version 2
 * verify exactly as they always did.
 *
 *
 *   record_hash = hex(SHA-256(prev || canonical))
 *
 * `prev` is the previous record's record_hash as 32 raw bytes (32 zero bytes before record 1).
 * `canonical` is the UTF-8 encoding of ECMAScript's JSON.stringify (no whitespace) of an
 * object with exactly these members, in this (sorted) order:
 *
 *   accessKeyId (string|null), errorCode (string|null), errorMessage (string|null),
 *   eventID (string), eventName (string), eventSource (string), eventTimeMs (integer),
 *   principalArn (string|null), readOnly (boolean), requestID (string),
 *   requestParametersJson (string|null: the stored JSON text, not re-parsed),
 *   responseElementsJson (string|null, likewise), sequence (integer),
 *   sourceIPAddress (string), userAgent (string), version (the integer 1)
 *
 * Version 2 (every record written since migration 0014-audit-resources) adds one member,
 * between requestParametersJson and responseElementsJson, and `version` is the integer 2:
 *
 *   resourcesJson (string|null: the stored JSON text of the resources array, not re-parsed)
 *
 * The request and response documents are hashed as the exact text stored, so that nobody has
 * to agree on how to canonicalize arbitrary JSON; the sequence number is hashed so that a
 * record moved to another position no longer matches.
 */
import { createHash } from 'node:crypto';
import type { AuditFormatVersion, SequencedAuditRecord } from '../store/state-store.js';

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** The canonical bytes of a record in its own format version, as defined above. */
export function canonicalAuditBytes(record: SequencedAuditRecord): Buffer {
  const v1 = {
    accessKeyId: record.accessKeyId,
    errorCode: record.errorCode,
    errorMessage: record.errorMessage,
    eventID: record.eventId,
    eventName: record.eventName,
    eventSource: record.eventSource,
    eventTimeMs: record.eventTimeMs,
    principalArn: record.principalArn,
    readOnly: record.readOnly,
    requestID: record.requestId,
    requestParametersJson: record.requestParametersJson,
    responseElementsJson: record.responseElementsJson,
    sequence: record.sequence,
    sourceIPAddress: record.sourceIpAddress,
    userAgent: record.userAgent,
  };
  switch (record.formatVersion) {
    case 1:
      return canonicalBytes({ ...v1, version: 1 });
    case 2: {
      // Spelled out rather than spread so that the member order is the sorted one above.
      const { responseElementsJson, sequence, sourceIPAddress, userAgent, ...before } = v1;
      return canonicalBytes({
        ...before,
        resourcesJson: record.resourcesJson,
        responseElementsJson,
        sequence,
        sourceIPAddress,
        userAgent,
        version: 2,
      });
    }
    default:
      // A version this code does not know cannot be checked, so it must not pass as checked.
      throw new Error(`unknown audit record format version ${String(record.formatVersion)}`);
  }
}

function canonicalBytes(canonical: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify(canonical), 'utf8');
}

/** Whether this code knows how to hash a record of `version`. */
export function isAuditFormatVersion(version: unknown): version is AuditFormatVersion {
  return version === 1 || version === 2;
}

/** A record's chain hash given its predecessor's (lowercase hex both). */
export function auditRecordHash(record: SequencedAuditRecord, prevHash: string): string {
  // Buffer.from(hex) silently drops what is not hex, so a malformed link must fail loudly.
  if (!HEX_SHA256.test(prevHash)) throw new Error('prev hash is not 64 lowercase hex digits');
  return createHash('sha256')
    .update(Buffer.from(prevHash, 'hex'))
    .update(canonicalAuditBytes(record))
    .digest('hex');
}
