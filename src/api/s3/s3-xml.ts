/**
 * The XML S3 speaks: documents written with the S3 namespace, and a small reader for the request
 * documents S3 calls take (VersioningConfiguration, ObjectLockConfiguration, Retention,
 * LegalHold, CreateBucketConfiguration). Written by hand, as the Query protocol's is: those
 * documents are a few flat elements, and a reader that knows no DTDs and expands no entities
 * beyond XML's five cannot be turned against the server (XXE, entity bombs).
 */
import { MalformedXML } from '../../objects/object-errors.js';
import { escapeXml } from '../query/escape-xml.js';

export const S3_XML_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** One element of a parsed document: its local name, text and child elements. */
export interface XmlElement {
  name: string;
  text: string;
  children: XmlElement[];
}

/** `<name>escaped value</name>`, or nothing when the value is undefined. */
export function xmlText(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `<name>children</name>`. */
export function xmlElement(name: string, ...children: string[]): string {
  return `<${name}>${children.join('')}</${name}>`;
}

/** A whole response document whose root element carries the S3 namespace. */
export function xmlDocument(root: string, ...children: string[]): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<${root} xmlns="${S3_XML_NAMESPACE}">${children.join('')}</${root}>`
  );
}

/** The first child element called `name`. */
export function xmlChild(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((child) => child.name === name);
}

const TOKEN =
  /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>|<(\/?)([^\s/>]+)[^>]*?(\/?)>|([^<]+)|</g;

/** Parses a request document; MalformedXML for anything that is not well-formed and plain. */
export function parseXml(text: string): XmlElement {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new MalformedXML();
  const root: XmlElement = { name: '', text: '', children: [] };
  const stack: XmlElement[] = [root];
  for (const match of text.matchAll(TOKEN)) {
    const [token, cdata, closing, rawName, selfClosing, chars] = match;
    const current = stack.at(-1) ?? root;
    if (cdata !== undefined) current.text += cdata;
    else if (chars !== undefined) current.text += decodeEntities(chars);
    else if (rawName !== undefined) {
      const name = rawName.slice(rawName.indexOf(':') + 1);
      if (closing) {
        if (stack.length < 2 || current.name !== name) throw new MalformedXML();
        stack.pop();
      } else {
        const element: XmlElement = { name, text: '', children: [] };
        current.children.push(element);
        if (!selfClosing) stack.push(element);
      }
    } else if (token === '<') throw new MalformedXML();
  }
  const [document] = root.children;
  if (stack.length !== 1 || root.children.length !== 1 || !document || root.text.trim() !== '') {
    throw new MalformedXML();
  }
  return document;
}

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

function decodeEntities(text: string): string {
  return text.replace(
    /&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);|&/g,
    (_whole, name: string | undefined) => {
      if (name === undefined) throw new MalformedXML();
      if (name.startsWith('#')) {
        const code = name.startsWith('#x')
          ? parseInt(name.slice(2), 16)
          : parseInt(name.slice(1), 10);
        if (code > 0x10ffff) throw new MalformedXML();
        return String.fromCodePoint(code);
      }
      const decoded = ENTITIES[name];
      if (decoded === undefined) throw new MalformedXML();
      return decoded;
    },
  );
}
