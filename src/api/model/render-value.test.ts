import { describe, expect, it } from 'vitest';
import { MAX_RENDERED_LENGTH, describeValue, renderValue } from './render-value.js';

describe('renderValue', () => {
  it('renders scalars bare and containers Java-style', () => {
    expect(renderValue('abc')).toBe('abc');
    expect(renderValue(0)).toBe('0');
    expect(renderValue(false)).toBe('false');
    expect(renderValue([1, 'a', null])).toBe('[1, a, null]');
    expect(renderValue({ k: 'v', n: { m: [] } })).toBe('{k=v, n={m=[]}}');
  });

  it('cuts long values at a fixed length and marks the cut', () => {
    const rendered = renderValue('x'.repeat(10_000));
    expect(rendered).toBe(`${'x'.repeat(MAX_RENDERED_LENGTH)}...`);
    const list = renderValue(Array.from({ length: 10_000 }, (_, i) => i));
    expect(list.length).toBe(MAX_RENDERED_LENGTH + 3);
    expect(list.startsWith('[0, 1, 2')).toBe(true);
  });

  it('never cuts a surrogate pair in half', () => {
    const rendered = renderValue(`${'x'.repeat(MAX_RENDERED_LENGTH - 1)}😀tail`);
    expect(rendered).toBe(`${'x'.repeat(MAX_RENDERED_LENGTH - 1)}...`);
  });
});

describe('describeValue', () => {
  it('quotes values, leaves null bare and omits hidden values', () => {
    expect(describeValue('abc', 'pipeline.name', false)).toBe("Value 'abc' at 'pipeline.name'");
    expect(describeValue(null, 'name', false)).toBe("Value null at 'name'");
    expect(describeValue('s3cr3t', 'token', true)).toBe("Value at 'token'");
  });
});
