import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AccessDeniedException,
  ExpiredTokenException,
  InvalidSignatureException,
  LockstepError,
  UnrecognizedClientException,
  ValidationException,
} from '../../errors/lockstep-error.js';
import { queryErrorCode } from './query-error-code.js';
import { QueryModel } from './query-model.js';
import { renderQueryError } from './render-query-error.js';
import { renderQueryResponse } from './render-query-response.js';

const iam = QueryModel.bundled('iam/2010-05-08');
const sts = QueryModel.bundled('sts/2011-06-15');
const example = QueryModel.fromJson(
  JSON.parse(readFileSync(new URL('./query-test-model.json', import.meta.url), 'utf8')),
);
const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const METADATA = '<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>';

describe('renderQueryResponse', () => {
  it('renders members in model order, skipping absent ones and unmodelled ones', () => {
    const user = {
      Tags: [{ Key: 'team', Value: 'build' }],
      CreateDate: new Date('2024-01-02T03:04:05.000Z'),
      UserName: 'bob',
      Arn: 'arn:aws:iam::123456789012:user/bob',
      Path: '/',
      UserId: 'AIDAEXAMPLE',
      PasswordLastUsed: null,
      Unmodelled: 'x',
    };
    expect(renderQueryResponse(iam, 'GetUser', { User: user }, 'r-1')).toBe(
      `<GetUserResponse xmlns="${IAM_NS}"><GetUserResult><User><Path>/</Path>` +
        '<UserName>bob</UserName><UserId>AIDAEXAMPLE</UserId>' +
        '<Arn>arn:aws:iam::123456789012:user/bob</Arn><CreateDate>2024-01-02T03:04:05Z</CreateDate>' +
        '<Tags><member><Key>team</Key><Value>build</Value></member></Tags></User></GetUserResult>' +
        `${METADATA}</GetUserResponse>`,
    );
  });

  it('renders only ResponseMetadata for an operation without output', () => {
    expect(renderQueryResponse(iam, 'DeleteUser', undefined, 'r-1')).toBe(
      `<DeleteUserResponse xmlns="${IAM_NS}">${METADATA}</DeleteUserResponse>`,
    );
  });

  it('renders booleans, empty lists, maps and timestamps with milliseconds', () => {
    const xml = renderQueryResponse(iam, 'ListUsers', { Users: [], IsTruncated: false }, 'r-1');
    expect(xml).toContain('<ListUsersResult><Users/><IsTruncated>false</IsTruncated>');
    const summary = { SummaryMap: { Users: 2, Groups: 0 } };
    expect(renderQueryResponse(iam, 'GetAccountSummary', summary, 'r-1')).toContain(
      '<SummaryMap><entry><key>Users</key><value>2</value></entry>' +
        '<entry><key>Groups</key><value>0</value></entry></SummaryMap>',
    );
    const credentials = { Expiration: 1_700_000_000.25 };
    expect(
      renderQueryResponse(sts, 'GetSessionToken', { Credentials: credentials }, 'r'),
    ).toContain('<Expiration>2023-11-14T22:13:20.250Z</Expiration>');
  });

  it('renders locationName, flattened and named lists and flattened maps', () => {
    const output = {
      Name: 'n',
      Flat: ['a', 'b'],
      Named: ['c'],
      Wrapped: ['d'],
      FlatAttrs: { x: 1 },
      Data: Buffer.from('hi'),
    };
    expect(renderQueryResponse(example, 'Put', output, 'r-1')).toBe(
      '<PutResponse xmlns="https://example.com/doc/2020-01-01/"><PutResult><TheName>n</TheName>' +
        '<Data>aGk=</Data><Flat>a</Flat><Flat>b</Flat><Item>c</Item>' +
        '<Wrapped><Item>d</Item></Wrapped><FlatAttrs><Name>x</Name><Value>1</Value></FlatAttrs>' +
        `</PutResult>${METADATA}</PutResponse>`,
    );
  });

  it('escapes markup, keeps CR as a reference and replaces what XML cannot carry', () => {
    const xml = renderQueryResponse(example, 'Put', { Name: `<a>&"b'\r\n\u0001` }, 'r-1');
    expect(xml).toContain('<TheName>&lt;a&gt;&amp;&quot;b&apos;&#13;\n\uFFFD</TheName>');
  });

  it('refuses output of the wrong shape instead of sending broken XML', () => {
    expect(() => renderQueryResponse(iam, 'ListUsers', { Users: 'bob' }, 'r')).toThrow(
      /not an array/,
    );
  });
});

describe('renderQueryError and queryErrorCode', () => {
  it('renders the ErrorResponse document with Sender or Receiver', () => {
    const response = renderQueryError('NoSuchEntity', 'No <bob>.', 'r-1', true, 404, IAM_NS);
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe('text/xml');
    expect(response.body).toBe(
      `<ErrorResponse xmlns="${IAM_NS}"><Error><Type>Sender</Type><Code>NoSuchEntity</Code>` +
        '<Message>No &lt;bob&gt;.</Message></Error><RequestId>r-1</RequestId></ErrorResponse>',
    );
    expect(renderQueryError('ServiceFailure', 'm', 'r', false, 500, IAM_NS).body).toContain(
      '<Type>Receiver</Type>',
    );
  });

  it("takes modelled errors' codes and statuses from the model", () => {
    const code = (error: LockstepError) => queryErrorCode(error, iam);
    const modelled = (name: string) => code(new LockstepError(name, 'm'));
    expect(modelled('NoSuchEntityException')).toEqual({
      code: 'NoSuchEntity',
      status: 404,
      senderFault: true,
    });
    expect(modelled('NoSuchEntity').status).toBe(404);
    expect(modelled('EntityAlreadyExistsException')).toMatchObject({ status: 409 });
    expect(modelled('LimitExceededException')).toMatchObject({ status: 409 });
    expect(modelled('ServiceFailureException')).toMatchObject({ status: 500, senderFault: false });
  });

  it('maps the shared JSON error names to Query codes', () => {
    const code = (error: LockstepError) => queryErrorCode(error, iam);
    expect(code(new AccessDeniedException('m'))).toMatchObject({
      code: 'AccessDenied',
      status: 403,
    });
    expect(code(new ValidationException('m'))).toMatchObject({
      code: 'ValidationError',
      status: 400,
    });
    expect(code(new UnrecognizedClientException('m'))).toMatchObject({
      code: 'InvalidClientTokenId',
      status: 403,
    });
    expect(code(new InvalidSignatureException('m'))).toMatchObject({
      code: 'SignatureDoesNotMatch',
      status: 403,
    });
    // The caller's expired token is an auth failure even though STS models an error of that name.
    expect(queryErrorCode(new ExpiredTokenException('m'), sts).code).toBe('ExpiredToken');
    const inputToken = new LockstepError('ExpiredTokenException', 'm');
    expect(queryErrorCode(inputToken, sts)).toMatchObject({
      code: 'ExpiredTokenException',
      status: 400,
    });
  });
});
