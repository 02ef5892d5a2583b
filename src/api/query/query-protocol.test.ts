/**
 * QueryProtocol's single path for the requests no SDK sends: unsigned calls, unknown versions,
 * modelled but unimplemented operations, and a failing operation. (query-protocol-cli.test.ts
 * drives the same class with the real AWS CLI.)
 */
import { describe, expect, it } from 'vitest';
import type { ApiCallRecord, AuditTrail } from '../../audit/audit-trail.js';
import { MissingAuthenticationTokenException } from '../../errors/lockstep-error.js';
import type { Authenticate } from '../json-protocol.js';
import { defineOperation } from '../operation.js';
import type { ServerServices } from '../server-services.js';
import { QueryModel } from './query-model.js';
import { QueryProtocol } from './query-protocol.js';

const iam = QueryModel.bundled('iam/2010-05-08');
const IAM_NS = 'xmlns="https://iam.amazonaws.com/doc/2010-05-08/"';

// Stands in for SigV4 (tested with the CLI elsewhere): any Authorization header is accepted.
const authenticate: Authenticate = (request) => {
  if (request.headers.authorization === undefined) {
    return Promise.reject(new MissingAuthenticationTokenException('Request is missing a token.'));
  }
  const principal = { arn: 'arn:aws:iam::123456789012:user/bob', accountId: '123456789012' };
  return Promise.resolve({
    ...principal,
    userName: 'bob',
    accessKeyId: 'AKID',
    isBootstrapAdmin: true,
  });
};

function setUp() {
  const audits: ApiCallRecord[] = [];
  const logged: string[] = [];
  const getUser = defineOperation<{ UserName: string }>({
    name: 'GetUser',
    iamAction: 'iam:GetUser',
    readOnly: true,
    resourceArn: () => '*',
    handle: () => Promise.reject(new Error('the store is down')),
  });
  const protocol = new QueryProtocol({
    services: [
      {
        signingName: 'iam',
        eventSource: 'iam.amazonaws.com',
        model: iam,
        operations: new Map([['GetUser', getUser]]),
      },
    ],
    authenticate,
    authorize: () => Promise.resolve(),
    audit: {
      recordCall: (call: ApiCallRecord) => Promise.resolve(void audits.push(call)),
    } as unknown as AuditTrail,
    serverServices: {} as ServerServices,
    logError: (message) => void logged.push(message),
  });
  const call = (body: string, signed = true) =>
    protocol.handle({
      headers: signed ? { authorization: 'AWS4-HMAC-SHA256 ...' } : {},
      url: '/',
      method: 'POST',
      body: Buffer.from(body),
      sourceIp: '127.0.0.1',
      secure: false,
    });
  return { call, audits, logged };
}

describe('QueryProtocol.handle', () => {
  it('authenticates before anything else: an unsigned caller learns nothing', async () => {
    const { call, audits } = setUp();
    const response = await call('Action=NoSuchThing&Version=1999-01-01', false);
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('<Code>MissingAuthenticationToken</Code>');
    expect(response.body).toContain(`<ErrorResponse ${IAM_NS}>`);
    expect(audits).toMatchObject([{ eventName: 'NoSuchThing', principalArn: null }]);
  });

  it('answers an unknown Version and an unimplemented operation with InvalidAction', async () => {
    const { call } = setUp();
    const unknown = await call('Action=GetUser&Version=1999-01-01&UserName=bob');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain(
      '<Code>InvalidAction</Code><Message>Could not find operation GetUser for version 1999-01-01</Message>',
    );
    const unimplemented = await call('Action=DeleteUser&Version=2010-05-08&UserName=bob');
    expect(unimplemented.statusCode).toBe(400);
    expect(unimplemented.body).toContain('<Code>InvalidAction</Code>');
  });

  it('turns an unexpected failure into InternalFailure from the Receiver, logged not sent', async () => {
    const { call, logged, audits } = setUp();
    const response = await call('Action=GetUser&Version=2010-05-08&UserName=bob');
    expect(response.statusCode).toBe(500);
    expect(response.body).toContain('<Type>Receiver</Type><Code>InternalFailure</Code>');
    expect(response.body).not.toContain('the store is down');
    expect(response.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(logged).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      eventName: 'GetUser',
      requestParameters: { UserName: 'bob' },
    });
  });
});
