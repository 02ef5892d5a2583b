/**
 * The audit chain's record hash, format version 1 (docs/audit-trail.md has the same text):
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
 * The request and response documents are hashed as the exact text stored, so that nobody has
 * to agree on how to canonicalize arbitrary JSON; the sequence number is hashed so that a
 * record moved to another position no longer matches.
 */
import { createHash } from 'node:crypto';
import type { SequencedAuditRecord } from '../store/state-store.js';

const FORMAT_VERSION = 1;
const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** The canonical bytes of a record, as defined above. */
export function canonicalAuditBytes(record: SequencedAuditRecord): Buffer {
  const canonical = {
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
    version: FORMAT_VERSION,
  };
  return Buffer.from(JSON.stringify(canonical), 'utf8');
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
