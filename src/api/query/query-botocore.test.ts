/**
 * The traits IAM and STS never use (locationName, flattened lists and maps, named list items,
 * blobs, doubles) checked against botocore itself: its QuerySerializer writes a body that
 * parseQueryRequest must read, and its QueryParser reads what renderQueryResponse writes.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parseQueryRequest } from './parse-query-request.js';
import { QueryModel } from './query-model.js';
import { renderQueryResponse } from './render-query-response.js';

const modelJson: unknown = JSON.parse(
  readFileSync(new URL('./query-test-model.json', import.meta.url), 'utf8'),
);
const model = QueryModel.fromJson(modelJson);

// Serializes `params` and parses `xml` with botocore's own Query serializer and parser.
const BOTOCORE = `
import datetime, json, sys
from urllib.parse import urlencode
from botocore.model import ServiceModel
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
req = json.load(sys.stdin)
op = ServiceModel(req['model']).operation_model('Put')
params = req['params']
params['When'] = datetime.datetime.fromisoformat(params['When'])
params['Data'] = params['Data'].encode()
body = create_serializer('query').serialize_to_request(params, op)['body']
response = {'body': req['xml'].encode(), 'headers': {}, 'status_code': 200}
parsed = create_parser('query').parse(response, op.output_shape)
def plain(value):
    if isinstance(value, datetime.datetime): return value.isoformat()
    if isinstance(value, bytes): return value.decode()
    raise TypeError(value)
print(json.dumps({'body': urlencode(list(body.items())), 'parsed': parsed}, default=plain))
`;

const THING = {
  Name: 'n&<x>',
  Count: 3,
  Enabled: false,
  When: '2024-01-02T03:04:05.500000+00:00',
  Ratio: 1.5,
  Data: 'hi',
  Plain: ['a', 'b'],
  Flat: ['c'],
  Named: ['d', 'e'],
  Wrapped: ['f'],
  Attrs: { k: 'v', 'a b': 'c=d' },
  FlatAttrs: { x: 1, y: 2 },
  Nested: { Key: 'K', Size: 2 },
  Items: [{ Key: 'a' }, { Size: 5 }],
};

it('reads what botocore sends and writes what botocore reads, for every Query trait', () => {
  const output = { ...THING, When: new Date(THING.When), Data: Buffer.from(THING.Data) };
  const xml = renderQueryResponse(model, 'Put', output, 'req-1');
  const stdout = execFileSync('python3', ['-c', BOTOCORE], {
    input: JSON.stringify({ model: modelJson, params: THING, xml }),
    encoding: 'utf8',
  });
  const botocore = JSON.parse(stdout) as { body: string; parsed: Record<string, unknown> };

  const request = parseQueryRequest(Buffer.from(botocore.body), model);
  expect(request.operation).toBe('Put');
  expect(request.input).toEqual({
    ...THING,
    When: Date.parse(THING.When) / 1000,
    Data: Buffer.from(THING.Data).toString('base64'),
  });
  expect(botocore.parsed).toEqual({
    ...THING,
    ResponseMetadata: { RequestId: 'req-1', HTTPStatusCode: 200, HTTPHeaders: {} },
  });
});
