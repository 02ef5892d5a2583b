/**
 * Date condition values. AWS: "You must specify date/time values with one of the W3C
 * implementations of the ISO 8601 date formats ... or in epoch (UNIX) time".
 */

// W3C profile: YYYY, YYYY-MM, YYYY-MM-DD, then hh:mm, hh:mm:ss or hh:mm:ss.s with a zone.
const W3C_DATE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;
const EPOCH_SECONDS = /^-?\d+(?:\.\d+)?$/;

function zoneOffsetMs(zone: string | undefined): number {
  // W3C requires a zone with a time; a value without one is read as UTC, never local time,
  // so that the decision does not depend on the server's time zone.
  if (zone === undefined || zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const [hours, minutes] = zone.slice(1).split(':').map(Number);
  return sign * ((hours ?? 0) * 60 + (minutes ?? 0)) * 60_000;
}

function parseW3c(match: RegExpExecArray): number | undefined {
  const [, year, month = '01', day = '01', hour = '00', minute = '00', second = '00'] = match;
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number);
  const fractionMs = Math.floor(Number(`0${match[7] ?? ''}`) * 1000);
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  date.setUTCFullYear(y ?? 0, (mo ?? 1) - 1, d ?? 1);
  date.setUTCHours(h ?? 0, mi ?? 0, s ?? 0, fractionMs);
  // A value that does not round-trip (2024-02-30, 25:00) is not a date; Date would roll it over.
  const roundTrips =
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === (mo ?? 1) - 1 &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === s;
  return roundTrips ? date.getTime() - zoneOffsetMs(match[8]) : undefined;
}

/** Milliseconds since the epoch, or undefined when the text is not an IAM date. */
export function parseDateValue(text: string): number | undefined {
  // Four bare digits read as a W3C year; any other run of digits is epoch seconds.
  if (EPOCH_SECONDS.test(text) && !/^\d{4}$/.test(text)) return Number(text) * 1000;
  const match = W3C_DATE.exec(text);
  if (match === null) return undefined;
  return parseW3c(match);
}
