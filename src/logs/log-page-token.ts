/**
 * Paging tokens of DescribeLogGroups and DescribeLogStreams: the same opaque tokens as
 * CodePipeline's listings, but a forged or foreign one is CloudWatch Logs'
 * InvalidParameterException.
 */
import { decodePageToken, encodePageToken } from '../pipelines/page-token.js';
import { InvalidParameterException } from './logs-errors.js';

/** The token of the position after which the next page starts. */
export function encodeLogPageToken(kind: string, after: string): string {
  return encodePageToken(kind, after);
}

/** The position a token of this kind of listing holds. */
export function decodeLogPageToken(kind: string, token: string | undefined): string | undefined {
  try {
    return decodePageToken(kind, token);
  } catch {
    throw new InvalidParameterException('The specified nextToken is not valid.');
  }
}
