import { describe, expect, it } from 'vitest';
import { buildWorkingCalendar } from '../../server/domain/calendar.ts';
import { DEFAULT_WARNING_RULE } from '../../server/domain/catalog.ts';
import { formatInstant } from '../../server/domain/dates.ts';
import { warningInstant } from '../../server/domain/sla.ts';
import { workdaysTaken } from '../../server/domain/typical-durations.ts';
import {
  addWorkingMinutes,
  firstWorkdayOf,
  isWorkingTime,
  nextWorkingTime,
  parseWorkingPeriods,
  periodsOn,
  subtractWorkingMinutes,
  validateWorkingSeasons,
  workingMinutesBetween,
  type WorkingHours,
} from '../../server/domain/working-time.ts';

const TZ = 'Asia/Shanghai';
const calendar = buildWorkingCalendar();
const at = (iso: string) => Date.parse(iso);
const local = (ms: number) => formatInstant(ms, TZ);

// Yunnan's summer day: 08:00–12:00 and 14:30–18:00 (7.5 working hours)
const lunch: WorkingHours = { periods: parseWorkingPeriods('08:00-12:00,14:30-18:00') };
// summer hours from May 1, winter hours (09:00–12:00, 14:00–17:00) from October 1
const seasonal: WorkingHours = {
  periods: parseWorkingPeriods('08:30-17:30'),
  seasons: validateWorkingSeasons([
    { from: '10-01', hours: '09:00-12:00,14:00-17:00' },
    { from: '05-01', hours: '08:00-12:00,14:30-18:00' },
  ]),
};

describe('working periods', () => {
  it('parses several periods and refuses disorder, overlap and periods crossing midnight', () => {
    expect(parseWorkingPeriods('08:00-12:00,14:30-18:00')).toEqual([
      { start: 480, end: 720 },
      { start: 870, end: 1080 },
    ]);
    expect(parseWorkingPeriods(' 08:30-17:30 ')).toEqual([{ start: 510, end: 1050 }]);
    expect(() => parseWorkingPeriods('14:30-18:00,08:00-12:00')).toThrow(/in order/);
    expect(() => parseWorkingPeriods('08:00-12:00,11:30-18:00')).toThrow(/overlap/);
    expect(() => parseWorkingPeriods('22:00-02:00')).toThrow(/start before it ends/);
    expect(() => parseWorkingPeriods('8-12')).toThrow(/must look like/);
    expect(() => parseWorkingPeriods('08:00-25:00')).toThrow(/impossible/);
  });

  it('validates seasons and orders them by their start', () => {
    expect(seasonal.seasons!.map((s) => s.from)).toEqual(['05-01', '10-01']);
    expect(() => validateWorkingSeasons([{ from: '5-1', hours: '08:00-12:00' }])).toThrow(/month and day/);
    expect(() => validateWorkingSeasons([{ from: '05-01', hours: '12:00-08:00' }])).toThrow(/workingHours\[0\]\.hours/);
    expect(() => validateWorkingSeasons([{ from: '05-01', hours: '08:00-12:00' }, { from: '05-01', hours: '09:00-12:00' }])).toThrow(/two seasons/);
    expect(() => validateWorkingSeasons([{ from: '05-01', hours: '08:00-12:00', note: 'x' }])).toThrow(/unknown key/);
  });

  it('is not working time over lunch', () => {
    expect(isWorkingTime(at('2026-11-24T11:59:00+08:00'), calendar, lunch, TZ)).toBe(true);
    expect(isWorkingTime(at('2026-11-24T12:10:00+08:00'), calendar, lunch, TZ)).toBe(false);
    expect(isWorkingTime(at('2026-11-24T14:30:00+08:00'), calendar, lunch, TZ)).toBe(true);
  });

  it('holds a text written over lunch until the afternoon period starts, not until 12:01', () => {
    expect(local(nextWorkingTime(at('2026-11-24T12:10:00+08:00'), calendar, lunch, TZ))).toBe('2026-11-24T14:30:00+08:00');
    expect(local(nextWorkingTime(at('2026-11-24T18:30:00+08:00'), calendar, lunch, TZ))).toBe('2026-11-25T08:00:00+08:00');
  });

  it('escalates a hurry after 4 working hours across the lunch break', () => {
    // pressed at 10:00: 2 h before lunch, 2 h after it → 16:30
    expect(local(addWorkingMinutes(at('2026-11-24T10:00:00+08:00'), 240, calendar, lunch, TZ))).toBe('2026-11-24T16:30:00+08:00');
    // pressed over lunch: counting starts at 14:30
    expect(local(addWorkingMinutes(at('2026-11-24T13:00:00+08:00'), 60, calendar, lunch, TZ))).toBe('2026-11-24T15:30:00+08:00');
    // pressed Friday 17:00 → 1 h Friday, then Monday morning 3 h → 11:00
    expect(local(addWorkingMinutes(at('2026-11-27T17:00:00+08:00'), 240, calendar, lunch, TZ))).toBe('2026-11-30T11:00:00+08:00');
  });

  it('counts working minutes without the lunch break', () => {
    expect(workingMinutesBetween(at('2026-11-24T08:00:00+08:00'), at('2026-11-24T18:00:00+08:00'), calendar, lunch, TZ)).toBe(450);
    expect(workingMinutesBetween(at('2026-11-24T11:00:00+08:00'), at('2026-11-24T15:00:00+08:00'), calendar, lunch, TZ)).toBe(90);
  });

  it('goes back across lunch, answering the start of a period when it lands on one', () => {
    expect(local(subtractWorkingMinutes(at('2026-11-24T15:30:00+08:00'), 120, calendar, lunch, TZ))).toBe('2026-11-24T11:00:00+08:00');
    expect(local(subtractWorkingMinutes(at('2026-11-24T15:30:00+08:00'), 60, calendar, lunch, TZ))).toBe('2026-11-24T14:30:00+08:00');
  });

  it('puts a warning instant that crosses the lunch break into the morning period', () => {
    // a step started Monday 08:00 and due Wednesday at the end of work; 1 workday (7.5 h) before the due time lands
    // exactly on Wednesday's start, which is answered as Wednesday 08:00 rather than Tuesday 18:00
    const frame = { calendar, hours: lunch, timeZone: TZ };
    const start = at('2026-11-23T08:00:00+08:00');
    const due = at('2026-11-25T18:00:00+08:00');
    expect(local(warningInstant(start, due, { ...DEFAULT_WARNING_RULE, remainingShare: 0 }, frame))).toBe('2026-11-25T08:00:00+08:00');
    // 20% of 3 days × 7.5 h = 4.5 h; with a zero workday threshold: 18:00 − 3.5 h → 14:30, − 1 h more → 11:00
    expect(local(warningInstant(start, due, { remainingWorkdays: 0, remainingShare: 0.2 }, frame))).toBe('2026-11-25T11:00:00+08:00');
  });

  it('counts a step started over lunch from its own day and one started after the last period from the next', () => {
    expect(firstWorkdayOf(at('2026-11-24T13:00:00+08:00'), calendar, lunch, TZ)).toBe('2026-11-24');
    expect(firstWorkdayOf(at('2026-11-24T18:05:00+08:00'), calendar, lunch, TZ)).toBe('2026-11-25');
    expect(workdaysTaken(at('2026-11-24T18:05:00+08:00'), at('2026-11-25T10:00:00+08:00'), calendar, lunch, TZ)).toBe(1);
  });

  it('switches to summer hours on May 1 and to winter hours on October 1', () => {
    expect(periodsOn('2026-04-30', seasonal)).toEqual(parseWorkingPeriods('09:00-12:00,14:00-17:00'));
    expect(periodsOn('2026-05-01', seasonal)).toEqual(parseWorkingPeriods('08:00-12:00,14:30-18:00'));
    expect(periodsOn('2026-09-30', seasonal)).toEqual(parseWorkingPeriods('08:00-12:00,14:30-18:00'));
    expect(periodsOn('2026-10-01', seasonal)).toEqual(parseWorkingPeriods('09:00-12:00,14:00-17:00'));
    expect(periodsOn('2027-01-15', seasonal)).toEqual(parseWorkingPeriods('09:00-12:00,14:00-17:00'));
    // 2026-04-30 (Thursday, winter hours) 16:30 + 2 working hours: 30 min that day; May 1–5 are the Labour Day
    // holiday; 2026-05-06 runs summer hours from 08:00 → 09:30
    expect(local(addWorkingMinutes(at('2026-04-30T16:30:00+08:00'), 120, calendar, seasonal, TZ))).toBe('2026-05-06T09:30:00+08:00');
    // a text written at 17:30 on the last winter workday of September 30 is working time in summer hours
    expect(isWorkingTime(at('2026-09-30T17:30:00+08:00'), calendar, seasonal, TZ)).toBe(true);
    expect(local(nextWorkingTime(at('2026-10-09T17:30:00+08:00'), calendar, seasonal, TZ))).toBe('2026-10-10T09:00:00+08:00');
  });

  it('still extends due times over holidays: National Day has no working periods', () => {
    // 2026-09-30 16:00 + 4 working hours: 2 h that day (to 18:00), holiday 10-01…10-07, then 10-08 winter hours 09:00 + 2 h
    expect(local(addWorkingMinutes(at('2026-09-30T16:00:00+08:00'), 240, calendar, seasonal, TZ))).toBe('2026-10-08T11:00:00+08:00');
    expect(isWorkingTime(at('2026-10-05T10:00:00+08:00'), calendar, seasonal, TZ)).toBe(false);
  });
});
