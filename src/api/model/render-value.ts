/**
 * How a value appears in a validation message. AWS's services print the Java value: strings and
 * numbers in single quotes (`Value '0' at ...`), null bare, lists as `[a, b]` and maps as
 * `{k=v}`. We do the same, cut long values short (a message must stay readable and must not
 * echo a whole request back), and print nothing for a sensitive value (`Value at 'x' ...`),
 * which is what AWS does for members it marks sensitive.
 */

/** Longest rendering (in UTF-16 units) before the value is cut and ends in `...`. */
export const MAX_RENDERED_LENGTH = 128;

/** Renders the `Value ... at 'path'` prefix of a message, hiding sensitive values. */
export function describeValue(value: unknown, path: string, hidden: boolean): string {
  if (hidden) return `Value at '${path}'`;
  if (value === null || value === undefined) return `Value null at '${path}'`;
  return `Value '${renderValue(value)}' at '${path}'`;
}

/** Renders a JSON value Java-style, at most MAX_RENDERED_LENGTH units plus `...`. */
export function renderValue(value: unknown): string {
  const parts: string[] = [];
  const budget = { left: MAX_RENDERED_LENGTH + 1 };
  append(value, parts, budget);
  const text = parts.join('');
  if (text.length <= MAX_RENDERED_LENGTH) return text;
  let end = MAX_RENDERED_LENGTH;
  // Never split a surrogate pair: half a character is not a character.
  if (/[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end -= 1;
  return `${text.slice(0, end)}...`;
}

/** Appends the rendering of `value`, stopping once the budget is spent (values can be huge). */
function append(value: unknown, parts: string[], budget: { left: number }): void {
  if (budget.left <= 0) return;
  if (Array.isArray(value)) {
    appendItems('[', ']', value, parts, budget, (item) => append(item, parts, budget));
  } else if (typeof value === 'object' && value !== null) {
    appendItems('{', '}', Object.entries(value), parts, budget, ([key, item]) => {
      push(`${key}=`, parts, budget);
      append(item, parts, budget);
    });
  } else {
    push(String(value), parts, budget);
  }
}

function appendItems<T>(
  open: string,
  close: string,
  items: readonly T[],
  parts: string[],
  budget: { left: number },
  each: (item: T) => void,
): void {
  push(open, parts, budget);
  for (let i = 0; i < items.length && budget.left > 0; i += 1) {
    if (i > 0) push(', ', parts, budget);
    each(items[i] as T);
  }
  push(close, parts, budget);
}

function push(text: string, parts: string[], budget: { left: number }): void {
  if (budget.left <= 0) return;
  const piece = text.length > budget.left ? text.slice(0, budget.left + 1) : text;
  parts.push(piece);
  budget.left -= piece.length;
}
