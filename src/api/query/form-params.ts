/**
 * The parameters of a Query request body (`application/x-www-form-urlencoded`), with a fast
 * answer to "is anything sent under `Tags.member.3`?", which is how lists and nested
 * structures are found: Query has no brackets, only dotted names.
 */
export class FormParams {
  private readonly values: ReadonlyMap<string, string>;
  // Sorted, so the names under a prefix are one contiguous run found by binary search. A set
  // of every prefix would cost the square of a name's length, and names are the caller's.
  private readonly sortedNames: readonly string[];

  private constructor(values: Map<string, string>) {
    this.values = values;
    this.sortedNames = [...values.keys()].sort();
  }

  /** Decodes a form body; the first of repeated names wins, as a map cannot hold both. */
  static decode(body: Buffer): FormParams {
    const values = new Map<string, string>();
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) {
      if (!values.has(name)) values.set(name, value);
    }
    return new FormParams(values);
  }

  /** The value sent under exactly this name. */
  get(name: string): string | undefined {
    return this.values.get(name);
  }

  /** Whether a parameter is named `prefix` or starts with `prefix.`. */
  has(prefix: string): boolean {
    if (this.values.has(prefix)) return true;
    const under = `${prefix}.`;
    const next = this.sortedNames[lowerBound(this.sortedNames, under)];
    return next !== undefined && next.startsWith(under);
  }
}

/** The index of the first name not less than `target`. */
function lowerBound(names: readonly string[], target: string): number {
  let low = 0;
  let high = names.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((names[middle] ?? '') < target) low = middle + 1;
    else high = middle;
  }
  return low;
}
