/** The first value of a Node header, which is an array only for repeatable headers. */
export function firstHeaderValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
