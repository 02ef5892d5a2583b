/**
 * JSON on the wire: timestamps as epoch seconds (numbers), as AWS sends them; ISO strings
 * break the JavaScript SDK's parser. Domain code hands out Date objects; this is the only
 * place they become numbers.
 */

/** Serializes a response body, turning every Date into epoch seconds. */
export function toWireJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, rendered: unknown) {
    // JSON.stringify has already called Date.prototype.toJSON on `rendered`; the original
    // value is still on the holder object.
    const original = this[key];
    return original instanceof Date ? original.getTime() / 1000 : rendered;
  });
}
