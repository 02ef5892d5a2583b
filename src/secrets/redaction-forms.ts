/**
 * The forms a secret value can take in a log: as written, base64 (standard and url-safe, on its
 * own or inside a longer base64 stream), URL-encoded and JSON-escaped, and each line of a
 * multi-line value. Every form is redacted, so `echo $TOKEN | base64` hides nothing.
 */

/**
 * Values shorter than this (ignoring surrounding blanks) are never redacted: a 3-character
 * secret such as `dev` or `on` would turn every occurrence of those letters in a log into
 * `***` and make the log useless, while hiding almost nothing.
 */
export const MIN_SECRET_LENGTH = 4;

/** Every form of `value` to redact; none when it is too short to redact. */
export function secretForms(value: string): string[] {
  if (value.trim().length < MIN_SECRET_LENGTH) return [];
  const forms = new Set<string>([value]);
  const lines = value.split(/\r?\n/).filter((line) => line.trim().length >= MIN_SECRET_LENGTH);
  if (lines.length > 1) for (const line of lines) forms.add(line);
  for (const form of base64Forms(Buffer.from(value, 'utf8'))) forms.add(form);
  for (const form of escapedForms(value)) forms.add(form);
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

/**
 * The direct encodings (with and without padding), and for each of the three byte alignments
 * the value can have inside a longer stream, the characters that depend on its bytes alone.
 */
function base64Forms(bytes: Buffer): string[] {
  const forms: string[] = [];
  for (const encoding of ['base64', 'base64url'] as const) {
    const direct = bytes.toString(encoding);
    forms.push(direct, direct.replace(/=+$/, ''));
    for (const offset of [0, 1, 2]) {
      const shifted = Buffer.concat([Buffer.alloc(offset), bytes]).toString(encoding);
      // Character i carries bits [6i, 6i+6); keep those wholly inside the value's bits.
      const first = Math.ceil((8 * offset) / 6);
      const end = Math.floor((8 * (offset + bytes.length)) / 6);
      forms.push(shifted.slice(first, end));
    }
  }
  return forms;
}

/** URL encodings (as JavaScript, RFC 3986 and HTML forms write them) and the JSON string form. */
function escapedForms(value: string): string[] {
  const component = encodeURIComponent(value);
  const strict = component.replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  const json = JSON.stringify(value).slice(1, -1);
  return [component, strict, component.replace(/%20/g, '+'), strict.replace(/%20/g, '+'), json];
}
