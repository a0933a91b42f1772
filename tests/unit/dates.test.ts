import { describe, expect, it, vi } from 'vitest';
import {
  addDays,
  calendarDateOf,
  endOfDay,
  formatInstant,
  fromDayNumber,
  isCalendarDate,
  parseInstant,
  startOfDay,
  toDayNumber,
  weekday,
  zoneOffsetMs,
} from '../../server/domain/dates.ts';

const SHANGHAI = 'Asia/Shanghai';
const BERLIN = 'Europe/Berlin';
const HOUR = 3_600_000;

describe('calendar dates', () => {
  it('counts days from 1970-01-01, before and after it', () => {
    expect(toDayNumber('1970-01-01')).toBe(0);
    expect(toDayNumber('1969-12-31')).toBe(-1);
    // 56 years 1970–2025 with 14 leap days (1972…2024) = 20 454, plus 327 days into 2026 (Nov 24 is day 328).
    expect(toDayNumber('2026-11-24')).toBe(20_781);
    expect(fromDayNumber(20_781)).toBe('2026-11-24');
    expect(fromDayNumber(-1)).toBe('1969-12-31');
  });

  it('round-trips every day of four centuries through day numbers', () => {
    const first = toDayNumber('1900-01-01');
    const last = toDayNumber('2300-12-31');
    const mismatches: number[] = [];
    for (let n = first; n <= last; n++) if (toDayNumber(fromDayNumber(n)) !== n) mismatches.push(n);
    expect(mismatches).toEqual([]);
    // 101 years divisible by 4 in 1900–2300, less 1900, 2100, 2200 and 2300: 97 leap days.
    expect(last - first + 1).toBe(401 * 365 + 97);
  });

  it('adds days across month ends and leap days', () => {
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2000-02-28', 1)).toBe('2000-02-29');
    expect(addDays('2100-02-28', 1)).toBe('2100-03-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(addDays('2026-11-24', 0)).toBe('2026-11-24');
  });

  it('accepts only real YYYY-MM-DD dates', () => {
    expect(isCalendarDate('2026-11-24')).toBe(true);
    expect(isCalendarDate('2028-02-29')).toBe(true);
    for (const bad of ['2026-02-29', '2100-02-29', '2026-2-05', '2026-13-01', '2026-00-10', '2026-04-31', ' 2026-01-01', '2026-01-01T00:00', '2026/01/01', '', 20260101, null]) {
      expect(isCalendarDate(bad)).toBe(false);
    }
  });

  it('rejects malformed dates with a RangeError naming them', () => {
    expect(() => toDayNumber('2026-02-30')).toThrow(RangeError);
    expect(() => toDayNumber('2026-02-30')).toThrow(/2026-02-30/);
    expect(() => addDays('tomorrow', 1)).toThrow(RangeError);
  });

  it('knows the weekday, 0 being Sunday', () => {
    expect(weekday('1970-01-01')).toBe(4); // a Thursday
    expect(weekday('1969-12-28')).toBe(0);
    expect(weekday('2026-11-24')).toBe(2); // a Tuesday
    expect(weekday('2026-02-14')).toBe(6); // the Saturday make-up workday before Spring Festival
  });
});

describe('instants in a time zone', () => {
  it('gives the Shanghai date of an instant, which changes at 16:00 UTC', () => {
    expect(calendarDateOf(Date.UTC(2026, 10, 23, 15, 59, 59, 999), SHANGHAI)).toBe('2026-11-23');
    expect(calendarDateOf(Date.UTC(2026, 10, 23, 16, 0, 0, 0), SHANGHAI)).toBe('2026-11-24');
    expect(calendarDateOf(Date.UTC(2026, 10, 23, 16, 0, 0, 0), 'UTC')).toBe('2026-11-23');
  });

  it('starts and ends a Shanghai day at local midnight', () => {
    expect(startOfDay('2026-11-24', SHANGHAI)).toBe(Date.UTC(2026, 10, 23, 16));
    expect(endOfDay('2026-11-24', SHANGHAI)).toBe(Date.UTC(2026, 10, 24, 15, 59, 59, 999));
  });

  it('formats an instant with the zone offset and no milliseconds', () => {
    expect(formatInstant(Date.UTC(2026, 10, 24, 1, 30), SHANGHAI)).toBe('2026-11-24T09:30:00+08:00');
    expect(formatInstant(Date.UTC(2026, 10, 24, 1, 30, 0, 999), SHANGHAI)).toBe('2026-11-24T09:30:00+08:00');
    expect(formatInstant(Date.UTC(2026, 10, 24, 15, 59, 59), SHANGHAI)).toBe('2026-11-24T23:59:59+08:00');
    expect(formatInstant(Date.UTC(2026, 10, 24, 9, 30), 'America/New_York')).toBe('2026-11-24T04:30:00-05:00');
    expect(formatInstant(Date.UTC(2026, 10, 24, 4, 0), 'Asia/Kolkata')).toBe('2026-11-24T09:30:00+05:30');
    expect(formatInstant(Date.UTC(2026, 10, 24, 4, 0), 'Asia/Kathmandu')).toBe('2026-11-24T09:45:00+05:45');
    expect(formatInstant(Date.UTC(1969, 11, 31, 23, 59, 59, 500), 'UTC')).toBe('1969-12-31T23:59:59+00:00');
  });

  it('rejects unknown time zones', () => {
    expect(() => formatInstant(0, 'Asia/Nowhere')).toThrow(RangeError);
  });

  describe('with daylight saving time (Europe/Berlin 2026: +01:00 → +02:00 at 01:00 UTC on 29 March, back on 25 October)', () => {
    it('formats either side of the spring-forward gap', () => {
      expect(formatInstant(Date.UTC(2026, 2, 29, 0, 59, 59), BERLIN)).toBe('2026-03-29T01:59:59+01:00');
      expect(formatInstant(Date.UTC(2026, 2, 29, 1, 0, 0), BERLIN)).toBe('2026-03-29T03:00:00+02:00');
    });

    it('formats the repeated hour in autumn with its two offsets', () => {
      expect(formatInstant(Date.UTC(2026, 9, 25, 0, 30), BERLIN)).toBe('2026-10-25T02:30:00+02:00');
      expect(formatInstant(Date.UTC(2026, 9, 25, 1, 30), BERLIN)).toBe('2026-10-25T02:30:00+01:00');
    });

    it('makes the spring-forward day 23 hours long and the fall-back day 25', () => {
      expect(startOfDay('2026-03-29', BERLIN)).toBe(Date.UTC(2026, 2, 28, 23));
      expect(endOfDay('2026-03-29', BERLIN)).toBe(Date.UTC(2026, 2, 29, 21, 59, 59, 999));
      expect(endOfDay('2026-03-29', BERLIN) + 1 - startOfDay('2026-03-29', BERLIN)).toBe(23 * HOUR);
      expect(startOfDay('2026-10-25', BERLIN)).toBe(Date.UTC(2026, 9, 24, 22));
      expect(endOfDay('2026-10-25', BERLIN)).toBe(Date.UTC(2026, 9, 25, 22, 59, 59, 999));
      expect(endOfDay('2026-10-25', BERLIN) + 1 - startOfDay('2026-10-25', BERLIN)).toBe(25 * HOUR);
    });

    it('gives the local date on either side of midnight in summer time', () => {
      expect(calendarDateOf(Date.UTC(2026, 5, 30, 21, 59, 59, 999), BERLIN)).toBe('2026-06-30');
      expect(calendarDateOf(Date.UTC(2026, 5, 30, 22), BERLIN)).toBe('2026-07-01');
    });
  });

  it('starts a day at 01:00 when its midnight is skipped (America/Santiago, 6 September 2026, −04:00 → −03:00)', () => {
    expect(startOfDay('2026-09-06', 'America/Santiago')).toBe(Date.UTC(2026, 8, 6, 4));
    expect(formatInstant(startOfDay('2026-09-06', 'America/Santiago'), 'America/Santiago')).toBe('2026-09-06T01:00:00-03:00');
    expect(endOfDay('2026-09-05', 'America/Santiago')).toBe(Date.UTC(2026, 8, 6, 3, 59, 59, 999));
  });

  it('ends a day after its repeated last hour when clocks fall back at midnight (America/Santiago, 5 April 2026)', () => {
    // At 03:00 UTC local 00:00 (−03:00) becomes 23:00 on the 4th (−04:00); the 4th lasts 25 hours.
    expect(startOfDay('2026-04-04', 'America/Santiago')).toBe(Date.UTC(2026, 3, 4, 3));
    expect(endOfDay('2026-04-04', 'America/Santiago')).toBe(Date.UTC(2026, 3, 5, 3, 59, 59, 999));
    expect(startOfDay('2026-04-05', 'America/Santiago')).toBe(Date.UTC(2026, 3, 5, 4));
  });

  it('is exact across a half-hour transition (Australia/Lord_Howe, +10:30 → +11:00 at 15:30 UTC on 3 October 2026)', () => {
    const zone = 'Australia/Lord_Howe';
    // Ask for the transition hour's start first, so a per-hour cache would be tempted to reuse it.
    expect(formatInstant(Date.UTC(2026, 9, 3, 15, 0), zone)).toBe('2026-10-04T01:30:00+10:30');
    expect(formatInstant(Date.UTC(2026, 9, 3, 15, 29, 59), zone)).toBe('2026-10-04T01:59:59+10:30');
    expect(formatInstant(Date.UTC(2026, 9, 3, 15, 30), zone)).toBe('2026-10-04T02:30:00+11:00');
    expect(formatInstant(Date.UTC(2026, 9, 3, 15, 45), zone)).toBe('2026-10-04T02:45:00+11:00');
  });

  it('formats instants of an already-seen hour without asking Intl again', () => {
    const base = Date.UTC(2026, 10, 24, 2);
    formatInstant(base, SHANGHAI);
    const spy = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts');
    try {
      for (let i = 0; i < 1000; i++) formatInstant(base + i * 3_000, SHANGHAI);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    expect(zoneOffsetMs(base, SHANGHAI)).toBe(8 * HOUR);
  });
});

describe('parsing instants', () => {
  it('requires an explicit offset or Z', () => {
    expect(parseInstant('2026-11-24T09:30:00+08:00')).toBe(Date.UTC(2026, 10, 24, 1, 30));
    expect(parseInstant('2026-11-24T01:30:00Z')).toBe(Date.UTC(2026, 10, 24, 1, 30));
    expect(parseInstant('2026-11-24T01:30:00.250Z')).toBe(Date.UTC(2026, 10, 24, 1, 30, 0, 250));
    expect(parseInstant('2026-11-24T01:30:00.123456789Z')).toBe(Date.UTC(2026, 10, 24, 1, 30, 0, 123));
    expect(parseInstant('2026-11-24T04:30-05:00')).toBe(Date.UTC(2026, 10, 24, 9, 30));
    expect(parseInstant('2026-11-24T09:30:00')).toBeNull();
    expect(parseInstant('2026-11-24')).toBeNull();
  });

  it('rejects impossible dates, times and offsets', () => {
    expect(parseInstant('2026-02-29T00:00:00Z')).toBeNull();
    expect(parseInstant('2026-11-24T24:00:00Z')).toBeNull();
    expect(parseInstant('2026-11-24T09:60:00Z')).toBeNull();
    expect(parseInstant('2026-11-24T09:30:00+24:00')).toBeNull();
    expect(parseInstant('2026-11-24T09:30:00+0800')).toBeNull();
    expect(parseInstant('not a time')).toBeNull();
  });

  it('round-trips what formatInstant writes', () => {
    for (const ms of [Date.UTC(2026, 10, 24, 1, 30), Date.UTC(2026, 2, 29, 1), Date.UTC(2026, 9, 25, 1, 30), 0]) {
      for (const zone of [SHANGHAI, BERLIN, 'America/New_York', 'UTC']) {
        expect(parseInstant(formatInstant(ms, zone))).toBe(ms);
      }
    }
  });
});
