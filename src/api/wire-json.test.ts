import { describe, expect, it } from 'vitest';
import { toWireJson } from './wire-json.js';

describe('toWireJson', () => {
  it('renders dates as epoch seconds at any depth, and leaves other values alone', () => {
    const at = new Date(1_763_768_803_250);
    const json = toWireJson({ created: at, list: [{ updated: at }], name: 'x', n: 3, none: null });
    expect(JSON.parse(json)).toEqual({
      created: 1_763_768_803.25,
      list: [{ updated: 1_763_768_803.25 }],
      name: 'x',
      n: 3,
      none: null,
    });
  });
});
