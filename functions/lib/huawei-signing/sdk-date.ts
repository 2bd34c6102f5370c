import { InvalidSigningInputError } from './errors';

/** X-Sdk-Date form: `YYYYMMDD'T'HHMMSS'Z'` in UTC, for example `20191115T033655Z`. */
const SDK_DATE_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * Formats a date as X-Sdk-Date: YYYYMMDD'T'HHMMSS'Z' in UTC. Milliseconds are dropped.
 *
 * @example formatSdkDate(new Date('2019-11-15T03:36:55.120Z')) // '20191115T033655Z'
 * @throws InvalidSigningInputError when `date` is invalid or its UTC year lies outside 0000 to 9999.
 */
export function formatSdkDate(date: Date): string {
  const year = date.getUTCFullYear();
  if (Number.isNaN(date.getTime()) || year < 0 || year > 9999) {
    throw new InvalidSigningInputError('signing date must be a valid date with a UTC year from 0000 to 9999');
  }

  const day = `${pad(year, 4)}${pad(date.getUTCMonth() + 1, 2)}${pad(date.getUTCDate(), 2)}`;
  const time = `${pad(date.getUTCHours(), 2)}${pad(date.getUTCMinutes(), 2)}${pad(date.getUTCSeconds(), 2)}`;
  return `${day}T${time}Z`;
}

/**
 * Parses an X-Sdk-Date value; undefined when malformed, including out-of-range fields such as
 * month 13 or February 30.
 */
export function parseSdkDate(value: string): Date | undefined {
  const match = SDK_DATE_PATTERN.exec(value);
  if (match === null) {
    return undefined;
  }

  const [, year, month, day, hours, minutes, seconds] = match;
  const date = new Date(`${year}-${month}-${day}T${hours}:${minutes}:${seconds}Z`);
  if (Number.isNaN(date.getTime())) {
    return undefined;
  }

  // Date parsing rolls some out-of-range fields over (February 30 becomes March 1, 24:00:00 the
  // next day), so only an exact round trip proves that every field was in range.
  return formatSdkDate(date) === value ? date : undefined;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
