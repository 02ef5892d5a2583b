/**
 * The S3 object lock operations on one version: Get/PutObjectRetention and
 * Get/PutObjectLegalHold. The rules (COMPLIANCE never shortened, GOVERNANCE only with the
 * bypass) live in objects/object-lock.ts; this file reads and writes their XML.
 */
import { MalformedXML } from '../../objects/object-errors.js';
import type { Retention } from '../../objects/object-lock.js';
import { bypassGovernance } from './s3-object-operations.js';
import { defineS3Operation, type S3Call } from './s3-operation.js';
import { parseXml, xmlChild, xmlDocument, xmlText } from './s3-xml.js';

export const putObjectRetention = defineS3Operation({
  name: 'PutObjectRetention',
  iamAction: 's3:PutObjectRetention',
  readOnly: false,
  resource: 'object',
  handle: async (call, context) => {
    const retention = parseRetention((await call.readBody()).toString('utf8'));
    await context.services.objects.putRetention(
      call.bucket,
      call.key,
      call.query.get('versionId'),
      retention,
      await bypassGovernance(call, context),
    );
    return {};
  },
});

export const getObjectRetention = defineS3Operation({
  name: 'GetObjectRetention',
  iamAction: 's3:GetObjectRetention',
  readOnly: true,
  resource: 'object',
  handle: async (call, { services }) => {
    const retention = await services.objects.getRetention(call.bucket, call.key, versionOf(call));
    return {
      body: xmlDocument(
        'Retention',
        xmlText('Mode', retention.mode),
        xmlText('RetainUntilDate', new Date(retention.retainUntilMs).toISOString()),
      ),
    };
  },
});

export const putObjectLegalHold = defineS3Operation({
  name: 'PutObjectLegalHold',
  iamAction: 's3:PutObjectLegalHold',
  readOnly: false,
  resource: 'object',
  handle: async (call, { services }) => {
    const document = parseXml((await call.readBody()).toString('utf8'));
    const status = xmlChild(document, 'Status')?.text.trim();
    if (document.name !== 'LegalHold' || (status !== 'ON' && status !== 'OFF')) {
      throw new MalformedXML();
    }
    await services.objects.putLegalHold(call.bucket, call.key, versionOf(call), status === 'ON');
    return {};
  },
});

export const getObjectLegalHold = defineS3Operation({
  name: 'GetObjectLegalHold',
  iamAction: 's3:GetObjectLegalHold',
  readOnly: true,
  resource: 'object',
  handle: async (call, { services }) => {
    const on = await services.objects.getLegalHold(call.bucket, call.key, versionOf(call));
    return { body: xmlDocument('LegalHold', xmlText('Status', on ? 'ON' : 'OFF')) };
  },
});

/** A Retention document: a mode and a date, or an empty one removing the retention. */
function parseRetention(text: string): Retention | null {
  const document = parseXml(text);
  if (document.name !== 'Retention') throw new MalformedXML();
  const mode = xmlChild(document, 'Mode')?.text.trim();
  const date = xmlChild(document, 'RetainUntilDate')?.text.trim();
  if (mode === undefined && date === undefined) return null;
  const retainUntilMs = date === undefined ? NaN : Date.parse(date);
  if ((mode !== 'GOVERNANCE' && mode !== 'COMPLIANCE') || Number.isNaN(retainUntilMs)) {
    throw new MalformedXML();
  }
  return { mode, retainUntilMs };
}

function versionOf(call: S3Call): string | undefined {
  return call.query.get('versionId');
}
