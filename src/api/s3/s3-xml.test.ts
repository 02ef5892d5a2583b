import { describe, expect, it } from 'vitest';
import { parseXml, xmlChild, xmlDocument, xmlText } from './s3-xml.js';

describe('S3 XML', () => {
  it('reads the documents botocore sends, namespace and all', () => {
    const document = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Retention xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<Mode>GOVERNANCE</Mode><RetainUntilDate>2026-11-23T00:00:00Z</RetainUntilDate></Retention>',
    );
    expect(document.name).toBe('Retention');
    expect(xmlChild(document, 'Mode')?.text).toBe('GOVERNANCE');
    expect(
      parseXml('<s3:LegalHold xmlns:s3="x"><s3:Status>ON</s3:Status></s3:LegalHold>').name,
    ).toBe('LegalHold');
    expect(parseXml('<Retention/>').children).toEqual([]);
    expect(xmlChild(parseXml('<a><b>&lt;&amp;&#65;&#x42;<![CDATA[<c>]]></b></a>'), 'b')?.text).toBe(
      '<&AB<c>',
    );
  });

  it('refuses what is not plain well-formed XML: DTDs, entities, mismatched or extra elements', () => {
    for (const text of [
      '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
      '<a>&x;</a>',
      '<a><b></a></b>',
      '<a></a><b></b>',
      '<a>',
      'text',
      '<a>&#x110000;</a>',
    ]) {
      expect(() => parseXml(text), text).toThrow(
        expect.objectContaining({ code: 'MalformedXML' }) as Error,
      );
    }
  });

  it('writes documents in the S3 namespace with their text escaped', () => {
    expect(xmlDocument('R', xmlText('Key', 'a<b&"c"'), xmlText('Absent', undefined))).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<R xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Key>a&lt;b&amp;&quot;c&quot;</Key></R>',
    );
  });
});
