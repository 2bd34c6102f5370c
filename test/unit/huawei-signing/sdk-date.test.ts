import { InvalidSigningInputError } from '../../../functions/lib/huawei-signing/errors';
import { formatSdkDate, parseSdkDate } from '../../../functions/lib/huawei-signing/sdk-date';

describe('formatSdkDate', () => {
  it('formats UTC fields with zero padding', () => {
    expect(formatSdkDate(new Date('2019-11-15T03:36:55Z'))).toBe('20191115T033655Z');
    expect(formatSdkDate(new Date('2024-01-02T03:04:05Z'))).toBe('20240102T030405Z');
  });

  it('drops milliseconds', () => {
    expect(formatSdkDate(new Date('2024-02-29T23:59:59.999Z'))).toBe('20240229T235959Z');
  });

  it('rejects an invalid date', () => {
    expect(() => formatSdkDate(new Date(Number.NaN))).toThrow(InvalidSigningInputError);
  });

  it('rejects a five-digit year', () => {
    expect(() => formatSdkDate(new Date('+010000-01-01T00:00:00Z'))).toThrow(InvalidSigningInputError);
  });
});

describe('parseSdkDate', () => {
  it('parses a well-formed value', () => {
    expect(parseSdkDate('20191115T033655Z')?.toISOString()).toBe('2019-11-15T03:36:55.000Z');
  });

  it('parses the leap day', () => {
    expect(parseSdkDate('20240229T000000Z')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
  });

  it.each([
    ['empty string', ''],
    ['ISO 8601 extended form', '2019-11-15T03:36:55Z'],
    ['missing Z', '20191115T033655'],
    ['lowercase t', '20191115t033655Z'],
    ['milliseconds', '20191115T033655.000Z'],
    ['offset instead of Z', '20191115T033655+0000'],
    ['surrounding space', ' 20191115T033655Z'],
    ['month 13', '20191315T033655Z'],
    ['month 00', '20190015T033655Z'],
    ['February 30', '20190230T000000Z'],
    ['February 29 outside a leap year', '20230229T000000Z'],
    ['hour 24', '20191115T240000Z'],
    ['minute 60', '20191115T036000Z'],
    ['second 60', '20191115T033660Z'],
    ['non-ASCII digits', '２０１９1115T033655Z'],
  ])('rejects %s', (_case, value) => {
    expect(parseSdkDate(value)).toBeUndefined();
  });

  it('inverts formatSdkDate', () => {
    const date = new Date('2031-07-04T12:00:09Z');

    expect(parseSdkDate(formatSdkDate(date))?.getTime()).toBe(date.getTime());
  });
});
