/**
 * XML text and attribute escaping, written by hand: the five predefined entities are all a
 * response needs, and no XML library is a dependency of Lockstep.
 */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // A raw CR would reach the client as LF (XML normalizes line ends), so it is a reference.
  '\r': '&#13;',
};

// Characters XML 1.0 cannot carry at all, not even as a reference (C0 controls other than tab,
// LF and CR, lone surrogates, U+FFFE and U+FFFF): one would make botocore reject the whole
// response, so each becomes U+FFFD instead.
const FORBIDDEN =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const SPECIAL = /[&<>"'\r]/g;

/** Escapes text for an XML element or a double- or single-quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(FORBIDDEN, '\uFFFD').replace(SPECIAL, (char) => ENTITIES[char] ?? char);
}
