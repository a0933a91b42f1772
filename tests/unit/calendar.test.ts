import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildWorkingCalendar,
  chineseDaysCarriesYear,
  statutoryHolidays,
  validateCalendarOverrides,
  type CalendarOverrides,
} from '../../server/domain/calendar.ts';
import { addDays } from '../../server/domain/dates.ts';

const calendar = buildWorkingCalendar();

function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  return days;
}

describe('2026 official schedule (State Council notice of November 2025)', () => {
  it('takes 2026-02-15 … 2026-02-23 off for Spring Festival', () => {
    for (const d of daysBetween('2026-02-15', '2026-02-23')) expect(calendar.isWorkday(d), d).toBe(false);
  });

  it('works the make-up Saturdays 2026-02-14 and 2026-02-28', () => {
    expect(calendar.isWorkday('2026-02-14')).toBe(true);
    expect(calendar.isWorkday('2026-02-28')).toBe(true);
    expect(calendar.isWorkday('2026-02-21')).toBe(false); // an ordinary Saturday inside the holiday
  });

  it('takes 2026-10-01 … 2026-10-07 off and works Sunday 2026-09-20 and Saturday 2026-10-10', () => {
    for (const d of daysBetween('2026-10-01', '2026-10-07')) expect(calendar.isWorkday(d), d).toBe(false);
    expect(calendar.isWorkday('2026-09-20')).toBe(true);
    expect(calendar.isWorkday('2026-10-10')).toBe(true);
    expect(calendar.isWorkday('2026-10-11')).toBe(false); // the Sunday after is an ordinary weekend day
  });

  it('keeps ordinary weeks Monday to Friday', () => {
    // 2026-11-23 is a Monday.
    expect(daysBetween('2026-11-23', '2026-11-29').map((d) => calendar.isWorkday(d))).toEqual([true, true, true, true, true, false, false]);
  });
});

describe('workday arithmetic', () => {
  it('steps from the Friday before Spring Festival onto the make-up Saturday, then over the holiday', () => {
    expect(calendar.addWorkdays('2026-02-13', 1)).toBe('2026-02-14');
    expect(calendar.addWorkdays('2026-02-14', 1)).toBe('2026-02-24');
    expect(calendar.addWorkdays('2026-02-24', -1)).toBe('2026-02-14');
    expect(calendar.addWorkdays('2026-02-24', 0)).toBe('2026-02-24');
    // 02-24 Tue … 02-27 Fri are four workdays, 02-28 the fifth.
    expect(calendar.addWorkdays('2026-02-24', 4)).toBe('2026-02-28');
  });

  it('counts from a non-workday as if it lay between workdays', () => {
    expect(calendar.addWorkdays('2026-10-03', 1)).toBe('2026-10-08');
    expect(calendar.addWorkdays('2026-10-03', -1)).toBe('2026-09-30');
    expect(calendar.addWorkdays('2026-10-03', 0)).toBe('2026-10-08');
    expect(calendar.addWorkdays('2026-10-03', 3)).toBe('2026-10-10');
  });

  it('rolls to the nearest workday in either direction', () => {
    expect(calendar.nextWorkdayOnOrAfter('2026-10-01')).toBe('2026-10-08');
    expect(calendar.prevWorkdayOnOrBefore('2026-10-07')).toBe('2026-09-30');
    expect(calendar.nextWorkdayOnOrAfter('2026-11-24')).toBe('2026-11-24');
    expect(calendar.prevWorkdayOnOrBefore('2026-11-29')).toBe('2026-11-27');
  });

  it('numbers consecutive workdays consecutively and a holiday like the next workday', () => {
    const friday = calendar.workdayOrdinal('2026-02-13');
    expect(calendar.workdayOrdinal('2026-02-14')).toBe(friday + 1);
    expect(calendar.workdayOrdinal('2026-02-15')).toBe(friday + 2);
    expect(calendar.workdayOrdinal('2026-02-24')).toBe(friday + 2);
    expect(calendar.dateOfWorkdayOrdinal(friday + 2)).toBe('2026-02-24');
    expect(calendar.dateOfWorkdayOrdinal(calendar.workdayOrdinal('2020-01-01'))).toBe('2020-01-02');
  });

  it('counts workdays in a range, both ends included', () => {
    // 10-08 Thu, 10-09 Fri and the make-up Saturday 10-10.
    expect(calendar.workdaysBetweenInclusive('2026-10-01', '2026-10-11')).toBe(3);
    expect(calendar.workdaysBetweenInclusive('2026-11-24', '2026-11-24')).toBe(1);
    expect(calendar.workdaysBetweenInclusive('2026-11-28', '2026-11-29')).toBe(0);
    expect(calendar.workdaysBetweenInclusive('2026-11-25', '2026-11-24')).toBe(0);
    // Counting up to the last day of the range needs no day after it.
    expect(calendar.workdaysBetweenInclusive('2035-12-31', '2035-12-31')).toBe(1); // a Monday
  });

  it('throws a RangeError naming a date outside its years', () => {
    expect(calendar.range).toEqual({ from: '2020-01-01', to: '2035-12-31' });
    expect(() => calendar.isWorkday('2019-12-31')).toThrow(RangeError);
    expect(() => calendar.isWorkday('2019-12-31')).toThrow(/2019-12-31/);
    expect(() => calendar.addWorkdays('2036-01-01', 1)).toThrow(/2036-01-01/);
    expect(() => calendar.workdayOrdinal('2036-01-01')).toThrow(RangeError);
    expect(() => calendar.addWorkdays('2035-12-31', 1)).toThrow(RangeError);
    expect(() => calendar.prevWorkdayOnOrBefore('2020-01-01')).toThrow(RangeError); // 元旦, and nothing before it
    expect(() => calendar.dateOfWorkdayOrdinal(-1)).toThrow(RangeError);
  });

  it('can cover other years', () => {
    const small = buildWorkingCalendar({ fromYear: 2026, toYear: 2026 });
    expect(small.range).toEqual({ from: '2026-01-01', to: '2026-12-31' });
    expect(small.provisionalYears()).toEqual([]);
    expect(small.isWorkday('2026-10-10')).toBe(true);
    expect(() => small.isWorkday('2027-01-04')).toThrow(RangeError);
    expect(() => buildWorkingCalendar({ fromYear: 2030, toYear: 2029 })).toThrow(RangeError);
  });
});

describe('years without an official schedule', () => {
  it('reports 2027 onwards as provisional, and not 2026', () => {
    expect(chineseDaysCarriesYear(2026)).toBe(true);
    expect(chineseDaysCarriesYear(2027)).toBe(false);
    expect(calendar.provisionalYears()).toContain(2027);
    expect(calendar.provisionalYears()).not.toContain(2026);
    expect(calendar.provisionalYears()).toEqual([2027, 2028, 2029, 2030, 2031, 2032, 2033, 2034, 2035]);
  });

  it('takes the statutory holidays of 2027 off', () => {
    // 元旦 Fri 01-01; 春节 除夕 Fri 02-05 to 初三 Mon 02-08 (lunar new year is Sat 02-06); 清明 Mon 04-05;
    // 劳动节 Sat 05-01 and Sun 05-02; 端午 Wed 06-09; 中秋 Wed 09-15; 国庆 Fri 10-01 to Sun 10-03.
    // Days in lieu (补假) for the weekend ones, on the next weekdays that are not holidays: Sat 02-06 → Tue 02-09,
    // Sun 02-07 → Wed 02-10; Sat 05-01 → Mon 05-03, Sun 05-02 → Tue 05-04; Sat 10-02 → Mon 10-04, Sun 10-03 → Tue 10-05.
    expect(statutoryHolidays(2027)).toEqual([
      '2027-01-01', '2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09', '2027-02-10', '2027-04-05',
      '2027-05-01', '2027-05-02', '2027-05-03', '2027-05-04', '2027-06-09', '2027-09-15',
      '2027-10-01', '2027-10-02', '2027-10-03', '2027-10-04', '2027-10-05',
    ]);
    for (const d of ['2027-01-01', '2027-02-05', '2027-02-08', '2027-04-05', '2027-06-09', '2027-09-15', '2027-10-01']) {
      expect(calendar.isWorkday(d), d).toBe(false);
    }
  });

  it('grants days in lieu for weekend holidays but guesses no make-up workdays', () => {
    for (const d of ['2027-01-04', '2027-02-04', '2027-02-11', '2027-04-06', '2027-05-05', '2027-10-06', '2027-10-08']) {
      expect(calendar.isWorkday(d), d).toBe(true);
    }
    for (const d of ['2027-02-06', '2027-02-07', '2027-02-09', '2027-02-10', '2027-05-03', '2027-05-04', '2027-10-04', '2027-10-05', '2027-02-13', '2027-10-09']) {
      expect(calendar.isWorkday(d), d).toBe(false);
    }
  });

  it('merges a Mid-Autumn Festival that falls inside National Day (2028)', () => {
    // 2028: lunar new year Wed 01-26, so 除夕 Tue 01-25 … 初三 Fri 01-28; 清明 Tue 04-04; 端午 Sun 05-28;
    // 中秋 Tue 10-03, already a National Day holiday. In lieu: Sat 01-01 → Mon 01-03, Sun 05-28 → Mon 05-29,
    // Sun 10-01 → Wed 10-04 (Mon 10-02 and Tue 10-03 are holidays themselves).
    expect(statutoryHolidays(2028)).toEqual([
      '2028-01-01', '2028-01-03', '2028-01-25', '2028-01-26', '2028-01-27', '2028-01-28', '2028-04-04',
      '2028-05-01', '2028-05-02', '2028-05-28', '2028-05-29', '2028-10-01', '2028-10-02', '2028-10-03', '2028-10-04',
    ]);
    expect(calendar.isWorkday('2028-01-24')).toBe(true);
    expect(calendar.isWorkday('2028-01-25')).toBe(false);
    expect(calendar.isWorkday('2028-10-04')).toBe(false);
    expect(calendar.isWorkday('2028-10-05')).toBe(true);
  });

  it('computes the same calendar when the process clock is behind UTC', () => {
    // chinese-days shifts dates by a day in such time zones unless handled.
    const saved = process.env['TZ'];
    process.env['TZ'] = 'America/New_York';
    try {
      expect(new Date(Date.UTC(2026, 3, 5)).getDate()).toBe(4); // the switch took effect
      const elsewhere = buildWorkingCalendar({ fromYear: 2025, toYear: 2029 });
      const days = daysBetween('2025-01-01', '2029-12-31');
      expect(days.filter((d) => elsewhere.isWorkday(d) !== calendar.isWorkday(d))).toEqual([]);
      expect(statutoryHolidays(2027)).toContain('2027-04-05');
    } finally {
      if (saved === undefined) delete process.env['TZ'];
      else process.env['TZ'] = saved;
    }
  });
});

describe('overrides', () => {
  // A made-up official schedule for 2027, as the State Council might publish it.
  const schedule2027: CalendarOverrides = {
    schedules: [
      {
        year: 2027,
        holidays: ['2027-01-01', '2027-01-02', '2027-01-03', ...daysBetween('2027-02-05', '2027-02-12')],
        workdays: ['2027-02-20'],
      },
    ],
    extraHolidays: [],
    extraWorkdays: [],
  };

  it('replaces a provisional year wholesale with a published schedule', () => {
    const withSchedule = buildWorkingCalendar({ overrides: schedule2027 });
    expect(withSchedule.provisionalYears()).not.toContain(2027);
    expect(withSchedule.provisionalYears()).toContain(2028);
    expect(withSchedule.isWorkday('2027-02-09')).toBe(false); // listed
    expect(withSchedule.isWorkday('2027-02-20')).toBe(true); // a listed Saturday
    expect(withSchedule.isWorkday('2027-04-05')).toBe(true); // 清明 not listed: the schedule is the whole year
    expect(withSchedule.isWorkday('2027-02-13')).toBe(false); // an ordinary Saturday
    expect(withSchedule.isWorkday('2026-10-10')).toBe(true); // other years untouched
  });

  it('applies local extra holidays and workdays on top of the official schedule', () => {
    const local = buildWorkingCalendar({
      overrides: {
        schedules: [],
        extraHolidays: ['2026-11-27', '2026-10-10'],
        extraWorkdays: ['2026-11-28', '2026-10-07', '2027-02-08'],
      },
    });
    expect(local.isWorkday('2026-11-27')).toBe(false); // an ordinary Friday
    expect(local.isWorkday('2026-10-10')).toBe(false); // an official make-up workday
    expect(local.isWorkday('2026-11-28')).toBe(true); // an ordinary Saturday
    expect(local.isWorkday('2026-10-07')).toBe(true); // an official holiday
    expect(local.isWorkday('2027-02-08')).toBe(true); // a statutory holiday of a provisional year
    expect(local.addWorkdays('2026-11-26', 1)).toBe('2026-11-28');
  });

  it('applies extra days on top of a published schedule too', () => {
    const both = buildWorkingCalendar({ overrides: { ...schedule2027, extraWorkdays: ['2027-02-12'] } });
    expect(both.isWorkday('2027-02-12')).toBe(true);
  });

  it('ignores override dates outside the calendar years', () => {
    const local = buildWorkingCalendar({ overrides: { schedules: [], extraHolidays: ['2040-01-02'], extraWorkdays: [] } });
    expect(local.isWorkday('2035-01-02')).toBe(true);
  });

  it('ships an empty overrides file that validates', () => {
    const json: unknown = JSON.parse(readFileSync(new URL('../../catalog/calendar.json', import.meta.url), 'utf8'));
    expect(validateCalendarOverrides(json)).toEqual({ schedules: [], extraHolidays: [], extraWorkdays: [] });
  });

  it('validates a published schedule', () => {
    expect(validateCalendarOverrides(JSON.parse(JSON.stringify(schedule2027)))).toEqual(schedule2027);
    expect(validateCalendarOverrides({ extraHolidays: ['2026-11-27'] })).toEqual({
      schedules: [],
      extraHolidays: ['2026-11-27'],
      extraWorkdays: [],
    });
  });

  it.each([
    [[], /\(root\) must be an object/],
    [{ schedules: {} }, /schedules must be an array/],
    [{ schedules: [{ year: 2027, holidays: ['2027-01-01', '2027-02-30'] }] }, /schedules\[0\]\.holidays\[1\] must be a date YYYY-MM-DD, got "2027-02-30"/],
    [{ schedules: [{ year: 2027, holidays: ['2026-12-31'] }] }, /schedules\[0\]\.holidays\[0\] \(2026-12-31\) is not in 2027/],
    [{ schedules: [{ year: 2027, holidays: ['2027-01-01'], workdays: ['2027-01-01'] }] }, /schedules\[0\] lists 2027-01-01 as both a holiday and a workday/],
    [{ schedules: [{ year: 2027, holidays: [] }, { year: 2027, holidays: [] }] }, /schedules\[1\]\.year repeats 2027/],
    [{ schedules: [{ year: '2027', holidays: [] }] }, /schedules\[0\]\.year must be a year/],
    [{ schedules: [{ year: 2027 }] }, /schedules\[0\]\.holidays is required/],
    [{ schedules: [{ year: 2027, holidays: [], extra: 1 }] }, /schedules\[0\]\.extra is not a known field/],
    [{ extraHolidays: ['2026-11-27'], extraWorkdays: ['2026-11-27'] }, /lists 2026-11-27 as both a holiday and a workday/],
    [{ extraWorkdays: '2026-11-28' }, /extraWorkdays must be an array of dates/],
    [{ extraHoliday: [] }, /extraHoliday is not a known field/],
  ])('rejects %j naming the path', (json, message) => {
    expect(() => validateCalendarOverrides(json)).toThrow(message);
  });
});
