import { describe, expect, it } from 'vitest';
import { LockstepError } from '../../errors/lockstep-error.js';
import { ServiceModel } from './service-model.js';
import { MAX_DEPTH } from './walk-context.js';

// A small made-up JSON service: the parts of the walk CodePipeline's model does not reach.
const shapes = {
  Input: {
    type: 'structure',
    members: {
      token: { shape: 'Token' },
      credentials: { shape: 'Credentials' },
      tree: { shape: 'Node' },
      names: { shape: 'Names' },
      holes: { shape: 'SparseNames' },
      labels: { shape: 'Labels' },
      data: { shape: 'Data' },
      at: { shape: 'Time' },
      size: { shape: 'Size' },
      ratio: { shape: 'Ratio' },
      flag: { shape: 'Flag' },
      anything: { shape: 'Any' },
    },
  },
  Token: { type: 'string', min: 8, pattern: '[a-z]+', sensitive: true },
  Credentials: { type: 'structure', members: { secret: { shape: 'Token' } } },
  Node: { type: 'structure', members: { name: { shape: 'Name' }, children: { shape: 'Nodes' } } },
  Nodes: { type: 'list', member: { shape: 'Node' } },
  Name: { type: 'string', max: 3 },
  Names: { type: 'list', member: { shape: 'Name' }, max: 2 },
  SparseNames: { type: 'list', member: { shape: 'Name' }, sparse: true },
  Labels: { type: 'map', key: { shape: 'LabelKey' }, value: { shape: 'Name' } },
  LabelKey: { type: 'string', max: 20 },
  Data: { type: 'blob', max: 4 },
  Time: { type: 'timestamp' },
  Size: { type: 'long' },
  Ratio: { type: 'double', max: 1 },
  Flag: { type: 'boolean' },
  Any: { type: 'document' },
};
const model = ServiceModel.fromJson({
  metadata: { protocol: 'json', targetPrefix: 'Test_20240101' },
  operations: { Do: { name: 'Do', input: { shape: 'Input' } }, Ping: { name: 'Ping' } },
  shapes,
});

function failure(body: unknown): { code: string; message: string } {
  try {
    model.parseInput('Do', body);
  } catch (error) {
    if (error instanceof LockstepError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(body)}`);
}

describe('parseInput on a generic JSON model', () => {
  it('never prints a sensitive value, even inside a container', () => {
    const { message } = failure({ token: 'ABC', credentials: { secret: 'XYZ' } });
    expect(message).toBe(
      "4 validation errors detected: Value at 'token' failed to satisfy constraint: Member must have length greater than or equal to 8; Value at 'token' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+; Value at 'credentials.secret' failed to satisfy constraint: Member must have length greater than or equal to 8; Value at 'credentials.secret' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+",
    );
    expect(failure({ token: 12345 }).message).toBe("Value at 'token' is not a valid string");
    expect(failure({ credentials: 'ABCSECRET' }).message).toBe(
      "Value at 'credentials' is not a valid object",
    );
  });

  it('walks recursive shapes and refuses input nested past the depth limit', () => {
    const tree = { name: 'a', children: [{ name: 'b', children: [{ name: 'toolong' }] }] };
    expect(failure({ tree }).message).toContain(
      "Value 'toolong' at 'tree.children.1.member.children.1.member.name'",
    );
    let deep: Record<string, unknown> = { name: 'x' };
    for (let i = 0; i < MAX_DEPTH; i += 1) deep = { children: [deep] };
    expect(failure({ tree: deep })).toMatchObject({ code: 'SerializationException' });
    expect(failure({ tree: deep }).message).toMatch(/nested deeper than 100 levels$/);
  });

  it('reports list size and null elements; sparse lists keep nulls', () => {
    expect(failure({ names: ['a', null, 'b'] }).message).toBe(
      "2 validation errors detected: Value '[a, null, b]' at 'names' failed to satisfy constraint: Member must have length less than or equal to 2; Value null at 'names.2.member' failed to satisfy constraint: Member must not be null",
    );
    expect(model.parseInput('Do', { holes: ['a', null] })).toEqual({ holes: ['a', null] });
  });

  it('keeps a map key named __proto__ as a plain key', () => {
    const labels = JSON.parse('{"__proto__": "x", "k": "v"}') as unknown;
    const parsed = model.parseInput('Do', { labels }) as { labels: object };
    expect(Object.keys(parsed.labels)).toEqual(['__proto__', 'k']);
    expect(Object.getPrototypeOf(parsed.labels)).toBe(Object.prototype);
  });

  it('takes blobs as base64 and bounds their decoded size', () => {
    expect(model.parseInput('Do', { data: 'AAAAAA==' })).toEqual({ data: 'AAAAAA==' });
    expect(failure({ data: 'AAAAAAAA' }).message).toContain(
      "at 'data' failed to satisfy constraint: Member must have length less than or equal to 4",
    );
    expect(failure({ data: 'not base64!' }).message).toBe(
      "Value 'not base64!' at 'data' is not a valid blob (base64 string)",
    );
  });

  it('keeps epoch-second timestamps as numbers and refuses strings', () => {
    expect(model.parseInput('Do', { at: 1_700_000_000.5 })).toEqual({ at: 1_700_000_000.5 });
    expect(failure({ at: '2024-01-01T00:00:00Z' }).message).toBe(
      "Value '2024-01-01T00:00:00Z' at 'at' is not a valid timestamp (epoch seconds)",
    );
  });

  it('checks longs, doubles, booleans and passes documents through', () => {
    const body = { size: 2 ** 40, ratio: 0.5, flag: false, anything: { a: [1, { b: null }] } };
    expect(model.parseInput('Do', body)).toEqual(body);
    expect(failure({ size: 1.5 }).message).toBe("Value '1.5' at 'size' is not a valid long");
    expect(failure({ ratio: '0.5' }).message).toBe("Value '0.5' at 'ratio' is not a valid number");
    expect(failure({ ratio: 2 }).message).toContain(
      'Member must have value less than or equal to 1',
    );
    expect(failure({ flag: 'true' }).message).toBe("Value 'true' at 'flag' is not a valid boolean");
  });

  it('accepts any object for an operation without input', () => {
    expect(model.parseInput('Ping', { whatever: 1 })).toEqual({});
  });
});

describe('ServiceModel.fromJson', () => {
  const base = { metadata: {}, operations: {} };

  it('refuses a file that is not a service model', () => {
    expect(() => ServiceModel.fromJson({ shapes: {} }, 'x.json')).toThrow(
      'x.json is not a service model: it has no "metadata" object',
    );
  });

  it('refuses dangling shape references and bad patterns, naming the shape', () => {
    const dangling = { L: { type: 'list', member: { shape: 'Missing' } } };
    expect(() => ServiceModel.fromJson({ ...base, shapes: dangling })).toThrow(
      'Shape L refers to unknown shape Missing',
    );
    const badPattern = { S: { type: 'string', pattern: '[a-z' } };
    expect(() => ServiceModel.fromJson({ ...base, shapes: badPattern })).toThrow(/^Shape S: /);
    const badOperation = { Op: { name: 'Op', input: { shape: 'Nope' } } };
    expect(() => ServiceModel.fromJson({ ...base, operations: badOperation, shapes: {} })).toThrow(
      'Operation Op refers to unknown shape Nope',
    );
  });
});
