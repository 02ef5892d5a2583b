/**
 * A Query error response, as IAM and STS send it and botocore parses it:
 * `<ErrorResponse xmlns="..."><Error><Type>Sender</Type><Code>NoSuchEntity</Code>
 * <Message>...</Message></Error><RequestId>id</RequestId></ErrorResponse>`.
 */
import type { WireResponse } from '../json-protocol.js';
import { escapeXml } from './escape-xml.js';

/** Renders one error with its HTTP status; `senderFault` picks Sender or Receiver. */
export function renderQueryError(
  code: string,
  message: string,
  requestId: string,
  senderFault: boolean,
  status: number,
  xmlNamespace: string,
): WireResponse {
  const body = [
    `<ErrorResponse xmlns="${escapeXml(xmlNamespace)}">`,
    `<Error><Type>${senderFault ? 'Sender' : 'Receiver'}</Type>`,
    `<Code>${escapeXml(code)}</Code>`,
    `<Message>${escapeXml(message)}</Message></Error>`,
    `<RequestId>${escapeXml(requestId)}</RequestId>`,
    '</ErrorResponse>',
  ].join('');
  return {
    statusCode: status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body,
  };
}
