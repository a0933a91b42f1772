// The working-day calendar (工作日): official schedules from chinese-days, statutory holidays for years
// it does not carry yet, and local overrides, precomputed into typed arrays for O(1) lookups.
import chineseDays from 'chinese-days';
import official from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { addDays, fromDayNumber, isCalendarDate, toDayNumber, weekday, type CalendarDate } from './dates.ts';

export interface CalendarSchedule {
  year: number;
  holidays: CalendarDate[];
  workdays: CalendarDate[];
}

export interface CalendarOverrides {
  /** An official schedule published after the installed chinese-days: replaces its year wholesale. */
  schedules: CalendarSchedule[];
  /** Local arrangements, applied on top of everything else. */
  extraHolidays: CalendarDate[];
  extraWorkdays: CalendarDate[];
}

export interface WorkingCalendarOptions {
  fromYear?: number;
  toYear?: number;
  overrides?: CalendarOverrides;
}

export interface WorkingCalendar {
  readonly range: { readonly from: CalendarDate; readonly to: CalendarDate };
  isWorkday(date: CalendarDate): boolean;
  nextWorkdayOnOrAfter(date: CalendarDate): CalendarDate;
  prevWorkdayOnOrBefore(date: CalendarDate): CalendarDate;
  /** From a non-workday, +1 is the next workday, −1 the previous one and 0 the next one. */
  addWorkdays(date: CalendarDate, n: number): CalendarDate;
  /** The ordinal of the first workday on or after `date`; consecutive workdays have consecutive ordinals. */
  workdayOrdinal(date: CalendarDate): number;
  dateOfWorkdayOrdinal(ordinal: number): CalendarDate;
  /** Workdays in [a, b]; 0 when b is before a. */
  workdaysBetweenInclusive(a: CalendarDate, b: CalendarDate): number;
  /** Years in range planned with statutory holidays only, because no official schedule is known. */
  provisionalYears(): number[];
}

export const DEFAULT_CALENDAR_FROM_YEAR = 2020;
export const DEFAULT_CALENDAR_TO_YEAR = 2035;

// ---- sources ----------------------------------------------------------------------------------

// The package's prebuilt data, not its lookup functions: those build their tables by parsing dates as
// UTC and formatting them in the process's local time, so they shift by a day when TZ is behind UTC.
const officialHolidays: Readonly<Record<string, string>> = official.holidays;
const officialWorkdays: Readonly<Record<string, string>> = official.workdays;

/** Whether chinese-days carries the State Council's schedule for `year` (National Day is in every one). */
export function chineseDaysCarriesYear(year: number): boolean {
  return officialHolidays[`${year}-10-01`] !== undefined;
}

function lunarToSolar(year: number, month: number, day: number): CalendarDate {
  // A local Date avoids the library's UTC-parse/local-format day shift (see above).
  return chineseDays.getSolarDateFromLunar(new Date(year, month - 1, day)).date;
}

// getSolarTermDate has the same day shift and takes no Date; measure its shift on a known term
// (清明 2026 is April 5) so the correction also holds once the library is fixed.
function qingming(year: number): CalendarDate {
  const shift = toDayNumber('2026-04-05') - toDayNumber(chineseDays.getSolarTermDate(2026, 4, 'pure_brightness'));
  return addDays(chineseDays.getSolarTermDate(year, 4, 'pure_brightness'), shift);
}

/**
 * Holidays fixed by law (全国年节及纪念日放假办法, 2024 revision), for years without an official schedule,
 * with the days off in lieu the same law grants (补假): a holiday falling on a Saturday or Sunday is made up
 * on the next weekday that is not itself a holiday. Make-up workdays (调休上班) are the State Council's yearly
 * choice and are not guessed.
 */
export function statutoryHolidays(year: number): CalendarDate[] {
  const fixed = statutoryHolidayDates(year);
  const off = new Set(fixed);
  for (const day of fixed) {
    if (weekday(day) !== 0 && weekday(day) !== 6) continue;
    let lieu = addDays(day, 1);
    while (off.has(lieu) || weekday(lieu) === 0 || weekday(lieu) === 6) lieu = addDays(lieu, 1);
    off.add(lieu);
  }
  return [...off].sort();
}

function statutoryHolidayDates(year: number): CalendarDate[] {
  const y = String(year).padStart(4, '0');
  const lunarNewYear = lunarToSolar(year, 1, 1);
  const days = [
    `${y}-01-01`,
    addDays(lunarNewYear, -1), // 除夕
    lunarNewYear,
    addDays(lunarNewYear, 1),
    addDays(lunarNewYear, 2),
    qingming(year),
    `${y}-05-01`,
    `${y}-05-02`,
    lunarToSolar(year, 5, 5),
    lunarToSolar(year, 8, 15),
    `${y}-10-01`,
    `${y}-10-02`,
    `${y}-10-03`,
  ];
  return [...new Set(days)].sort();
}

// ---- overrides validation ---------------------------------------------------------------------

function fail(path: string, problem: string): never {
  throw new Error(`${path} ${problem}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) fail(path === '' ? key : `${path}.${key}`, 'is not a known field');
  }
}

function dateList(v: unknown, path: string, year?: number): CalendarDate[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) fail(path, 'must be an array of dates YYYY-MM-DD');
  return v.map((d, i) => {
    if (!isCalendarDate(d)) fail(`${path}[${i}]`, `must be a date YYYY-MM-DD, got ${JSON.stringify(d)}`);
    if (year !== undefined && Number(d.slice(0, 4)) !== year) fail(`${path}[${i}]`, `(${d}) is not in ${year}`);
    return d;
  });
}

function rejectConflicts(holidays: CalendarDate[], workdays: CalendarDate[], path: string): void {
  const off = new Set(holidays);
  for (const d of workdays) if (off.has(d)) fail(path, `lists ${d} as both a holiday and a workday`);
}

/** Validates the overrides file; throws an Error naming the offending path. */
export function validateCalendarOverrides(json: unknown): CalendarOverrides {
  if (!isPlainObject(json)) fail('(root)', 'must be an object');
  // `workingHours` (seasonal working hours) is read by working-time.ts from the same file
  checkKeys(json, ['schedules', 'extraHolidays', 'extraWorkdays', 'workingHours'], '');
  const schedulesJson = json['schedules'] ?? [];
  if (!Array.isArray(schedulesJson)) fail('schedules', 'must be an array');
  const seenYears = new Set<number>();
  const schedules = schedulesJson.map((s: unknown, i): CalendarSchedule => {
    const path = `schedules[${i}]`;
    if (!isPlainObject(s)) fail(path, 'must be an object');
    checkKeys(s, ['year', 'holidays', 'workdays'], path);
    const year = s['year'];
    if (typeof year !== 'number' || !Number.isInteger(year) || year < 1900 || year > 2100) {
      fail(`${path}.year`, 'must be a year between 1900 and 2100');
    }
    if (seenYears.has(year)) fail(`${path}.year`, `repeats ${year}`);
    seenYears.add(year);
    if (s['holidays'] === undefined) fail(`${path}.holidays`, 'is required');
    const holidays = dateList(s['holidays'], `${path}.holidays`, year);
    const workdays = dateList(s['workdays'], `${path}.workdays`, year);
    rejectConflicts(holidays, workdays, path);
    return { year, holidays, workdays };
  });
  const extraHolidays = dateList(json['extraHolidays'], 'extraHolidays');
  const extraWorkdays = dateList(json['extraWorkdays'], 'extraWorkdays');
  rejectConflicts(extraHolidays, extraWorkdays, 'extraHolidays/extraWorkdays');
  return { schedules, extraHolidays, extraWorkdays };
}

// ---- the calendar -----------------------------------------------------------------------------

function checkYear(v: number, name: string): number {
  // chinese-days converts lunar dates for 1901–2099 only.
  if (!Number.isInteger(v) || v < 1901 || v > 2099) throw new RangeError(`${name} must be a year in 1901–2099, got ${v}`);
  return v;
}

export function buildWorkingCalendar(options: WorkingCalendarOptions = {}): WorkingCalendar {
  const fromYear = checkYear(options.fromYear ?? DEFAULT_CALENDAR_FROM_YEAR, 'fromYear');
  const toYear = checkYear(options.toYear ?? DEFAULT_CALENDAR_TO_YEAR, 'toYear');
  if (toYear < fromYear) throw new RangeError(`toYear ${toYear} is before fromYear ${fromYear}`);
  const overrides: CalendarOverrides = options.overrides ?? { schedules: [], extraHolidays: [], extraWorkdays: [] };

  const from = `${fromYear}-01-01`;
  const to = `${toYear}-12-31`;
  const firstDay = toDayNumber(from);
  const dayCount = toDayNumber(to) - firstDay + 1;
  const work = new Uint8Array(dayCount);
  const indexOf = (date: CalendarDate): number => toDayNumber(date) - firstDay;
  const inRange = (i: number): boolean => i >= 0 && i < dayCount;
  const set = (date: CalendarDate, isWork: boolean): void => {
    const i = indexOf(date);
    if (inRange(i)) work[i] = isWork ? 1 : 0;
  };

  const schedules = new Map(overrides.schedules.map((s) => [s.year, s]));
  const provisional: number[] = [];
  for (let year = fromYear; year <= toYear; year++) {
    const yearStart = indexOf(`${year}-01-01`);
    const yearEnd = indexOf(`${year}-12-31`);
    const firstWeekday = weekday(`${year}-01-01`);
    for (let i = yearStart; i <= yearEnd; i++) {
      const wd = (firstWeekday + i - yearStart) % 7;
      work[i] = wd === 0 || wd === 6 ? 0 : 1;
    }
    const schedule = schedules.get(year);
    if (schedule !== undefined) {
      for (const d of schedule.holidays) set(d, false);
      for (const d of schedule.workdays) set(d, true);
    } else if (chineseDaysCarriesYear(year)) {
      for (let i = yearStart; i <= yearEnd; i++) {
        const date = fromDayNumber(firstDay + i);
        if (officialHolidays[date] !== undefined) work[i] = 0;
        else if (officialWorkdays[date] !== undefined) work[i] = 1;
      }
    } else {
      provisional.push(year);
      for (const d of statutoryHolidays(year)) set(d, false);
    }
  }
  for (const d of overrides.extraHolidays) set(d, false);
  for (const d of overrides.extraWorkdays) set(d, true);

  // ordinalAtOrAfter[i] = ordinal of the first workday at or after day i; the extra last slot holds
  // the workday count, so "past the end" needs no special case in workdaysBetweenInclusive.
  const ordinalAtOrAfter = new Int32Array(dayCount + 1);
  let workdayCount = 0;
  for (let i = 0; i < dayCount; i++) workdayCount += work[i]!;
  const dayOfOrdinal = new Int32Array(workdayCount);
  ordinalAtOrAfter[dayCount] = workdayCount;
  for (let i = dayCount - 1, next = workdayCount; i >= 0; i--) {
    if (work[i] === 1) {
      next--;
      dayOfOrdinal[next] = i;
    }
    ordinalAtOrAfter[i] = next;
  }

  const indexInRange = (date: CalendarDate): number => {
    const i = indexOf(date);
    if (!inRange(i)) throw new RangeError(`${date} is outside the working calendar (${from} to ${to})`);
    return i;
  };
  const dateOfWorkdayOrdinal = (ordinal: number): CalendarDate => {
    if (!Number.isInteger(ordinal) || ordinal < 0 || ordinal >= workdayCount) {
      throw new RangeError(`workday ordinal ${ordinal} is outside the working calendar (${from} to ${to})`);
    }
    return fromDayNumber(firstDay + dayOfOrdinal[ordinal]!);
  };
  const workdayOrdinal = (date: CalendarDate): number => {
    const ordinal = ordinalAtOrAfter[indexInRange(date)]!;
    if (ordinal >= workdayCount) throw new RangeError(`no workday on or after ${date} within the working calendar (to ${to})`);
    return ordinal;
  };
  const ordinalOnOrBefore = (date: CalendarDate): number => {
    const i = indexInRange(date);
    const ordinal = work[i] === 1 ? ordinalAtOrAfter[i]! : ordinalAtOrAfter[i]! - 1;
    if (ordinal < 0) throw new RangeError(`no workday on or before ${date} within the working calendar (from ${from})`);
    return ordinal;
  };

  return {
    range: { from, to },
    isWorkday: (date) => work[indexInRange(date)] === 1,
    nextWorkdayOnOrAfter: (date) => dateOfWorkdayOrdinal(workdayOrdinal(date)),
    prevWorkdayOnOrBefore: (date) => dateOfWorkdayOrdinal(ordinalOnOrBefore(date)),
    addWorkdays(date, n) {
      if (!Number.isInteger(n)) throw new RangeError(`addWorkdays needs a whole number of workdays, got ${n}`);
      if (n < 0) return dateOfWorkdayOrdinal(ordinalOnOrBefore(date) + n + (work[indexInRange(date)] === 1 ? 0 : 1));
      return dateOfWorkdayOrdinal(workdayOrdinal(date) + n - (n > 0 && work[indexInRange(date)] === 0 ? 1 : 0));
    },
    workdayOrdinal,
    dateOfWorkdayOrdinal,
    workdaysBetweenInclusive(a, b) {
      const ia = indexInRange(a);
      const ib = indexInRange(b);
      return ib < ia ? 0 : ordinalAtOrAfter[ib + 1]! - ordinalAtOrAfter[ia]!;
    },
    provisionalYears: () => [...provisional],
  };
}
