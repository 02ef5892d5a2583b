import { IncompleteSignatureException } from '../../errors/lockstep-error.js';
import { firstHeaderValue } from './first-header-value.js';

/** The moment a request was signed, as the header carried it and as SigV4 spells it. */
export interface SigningDate {
  /** The header the time came from. */
  headerName: 'x-amz-date' | 'date';
  epochMs: number;
  /** ISO 8601 basic format (`20261121T230643Z`), the form used in the string to sign. */
  amzDate: string;
}

const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
// RFC 7231 IMF-fixdate, which the older SigV4 clients put in `Date`.
const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * Picks the header that carries the signing time: `x-amz-date` if the client signed it, else a
 * signed `Date`, else whichever is present (the caller then refuses it as unsigned).
 * Returns undefined when neither header exists.
 */
export function readSigningDate(
  headers: Record<string, string | string[] | undefined>,
  signedHeaders: readonly string[],
): SigningDate | undefined {
  const amz = firstHeaderValue(headers['x-amz-date']);
  const date = firstHeaderValue(headers.date);
  let headerName: SigningDate['headerName'];
  if (amz !== undefined && signedHeaders.includes('x-amz-date')) headerName = 'x-amz-date';
  else if (date !== undefined && signedHeaders.includes('date')) headerName = 'date';
  else if (amz !== undefined) headerName = 'x-amz-date';
  else if (date !== undefined) headerName = 'date';
  else return undefined;
  const raw = (headerName === 'x-amz-date' ? amz : date) ?? '';
  const epochMs = parseSigningTime(raw.trim(), headerName);
  if (epochMs === undefined) {
    throw new IncompleteSignatureException(
      `Date must be in ISO-8601 'basic format'. Got '${raw}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }
  return { headerName, epochMs, amzDate: formatAmzDate(epochMs) };
}

/** Formats epoch milliseconds as ISO 8601 basic format, to the second (`20261121T230643Z`). */
export function formatAmzDate(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function parseSigningTime(
  value: string,
  headerName: SigningDate['headerName'],
): number | undefined {
  const match = ISO_BASIC.exec(value);
  if (match) {
    const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const epochMs = Date.UTC(year, month - 1, day, hour, minute, second);
    // Date.UTC rolls 20261332 over into a real date; a round trip catches it.
    return formatAmzDate(epochMs) === value ? epochMs : undefined;
  }
  if (headerName === 'date' && IMF_FIXDATE.test(value)) {
    const epochMs = Date.parse(value);
    return Number.isNaN(epochMs) ? undefined : epochMs;
  }
  return undefined;
}
