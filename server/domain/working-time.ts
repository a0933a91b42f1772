// Working time: the working periods of the calendar's workdays (08:30–17:30 by default; several periods a day, e.g.
// 08:00–12:00 and 14:30–18:00 with a lunch break, and seasonal hours that switch on given dates).
// Handlers are texted only in working time, and a hurry escalates after 4 working hours.
import type { WorkingCalendar } from './calendar.ts';
import { calendarDateOf, startOfDay, type CalendarDate } from './dates.ts';
import { localMinuteOfDay } from './delivery-policy.ts';

/** One stretch of work in a day, in minutes after local midnight. */
export interface WorkingPeriod {
  start: number;
  end: number;
}

/** Hours that apply from `from` (MM-DD) every year until the next season's start. */
export interface WorkingSeason {
  from: string;
  periods: WorkingPeriod[];
}

export interface WorkingHours {
  /** the periods of every workday when no season is given */
  periods: WorkingPeriod[];
  /** seasonal hours (the calendar file's `workingHours`); when present they decide every date, cycling over the year */
  seasons?: WorkingSeason[];
}

export const DEFAULT_WORKING_HOURS: WorkingHours = { periods: [{ start: 8 * 60 + 30, end: 17 * 60 + 30 }] };
const MINUTE_MS = 60_000;

/**
 * Parses `08:00-12:00,14:30-18:00`: periods in order, not overlapping, each inside one day. Throws an Error whose
 * message says what is wrong (the caller names the setting).
 */
export function parseWorkingPeriods(raw: string): WorkingPeriod[] {
  const parts = raw.split(',').map((p) => p.trim());
  const periods = parts.map((part) => {
    const match = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(part);
    if (!match) throw new Error(`must look like 08:30-17:30 or 08:00-12:00,14:30-18:00, got "${raw}"`);
    const [h1, m1, h2, m2] = match.slice(1).map(Number) as [number, number, number, number];
    if (h1 > 24 || h2 > 24 || m1 > 59 || m2 > 59 || (h1 === 24 && m1 > 0) || (h2 === 24 && m2 > 0)) {
      throw new Error(`has an impossible time in "${part}"`);
    }
    const period = { start: h1 * 60 + m1, end: h2 * 60 + m2 };
    if (period.start >= period.end) throw new Error(`period "${part}" must start before it ends on the same day`);
    return period;
  });
  for (let i = 1; i < periods.length; i++) {
    if (periods[i]!.start < periods[i - 1]!.end) throw new Error(`periods must be in order and must not overlap ("${parts[i - 1]}", "${parts[i]}")`);
  }
  return periods;
}

const MONTH_DAY = /^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Validates the calendar file's `workingHours`: `[{ "from": "05-01", "hours": "08:00-12:00,14:30-18:00" }, …]`. */
export function validateWorkingSeasons(json: unknown): WorkingSeason[] {
  if (json === undefined) return [];
  if (!Array.isArray(json)) throw new Error('workingHours must be an array of { from: "MM-DD", hours: "HH:MM-HH:MM,…" }');
  const seasons = json.map((entry: unknown, i): WorkingSeason => {
    const path = `workingHours[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Error(`${path} must be an object`);
    const { from, hours, ...rest } = entry as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) throw new Error(`${path} has an unknown key "${extra[0]}"`);
    if (typeof from !== 'string' || !MONTH_DAY.test(from)) throw new Error(`${path}.from must be a month and day like "05-01"`);
    if (typeof hours !== 'string') throw new Error(`${path}.hours must be a string like "08:00-12:00,14:30-18:00"`);
    try {
      return { from, periods: parseWorkingPeriods(hours) };
    } catch (error) {
      throw new Error(`${path}.hours ${(error as Error).message}`);
    }
  });
  const sorted = [...seasons].sort((a, b) => a.from.localeCompare(b.from));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.from === sorted[i - 1]!.from) throw new Error(`workingHours has two seasons from ${sorted[i]!.from}`);
  }
  return sorted;
}

/** The working periods of `date` if it is a workday (the caller checks that): its season's, or the default. */
export function periodsOn(date: CalendarDate, hours: WorkingHours): WorkingPeriod[] {
  const seasons = hours.seasons;
  if (!seasons || seasons.length === 0) return hours.periods;
  const monthDay = date.slice(5);
  let current = seasons[seasons.length - 1]!; // before the first season's start, last year's last season holds
  for (const season of seasons) if (season.from <= monthDay) current = season;
  return current.periods;
}

/** Working minutes in one workday of `date` (for thresholds stated in workdays). */
export function workingMinutesOfDay(date: CalendarDate, hours: WorkingHours): number {
  return periodsOn(date, hours).reduce((sum, p) => sum + p.end - p.start, 0);
}

// Local wall-clock minute → instant. Exact for zones without daylight saving (China); elsewhere off by the
// shift on the two transition days, which working hours do not straddle in practice.
const at = (date: CalendarDate, minute: number, timeZone: string) => startOfDay(date, timeZone) + minute * MINUTE_MS;

interface Frame {
  calendar: WorkingCalendar;
  hours: WorkingHours;
  timeZone: string;
}

/** The working periods from the one containing or following `ms`, as instants, forever forward. */
function* periodsFrom(ms: number, { calendar, hours, timeZone }: Frame): Generator<{ start: number; end: number }> {
  let date = calendarDateOf(ms, timeZone);
  if (!calendar.isWorkday(date)) date = calendar.addWorkdays(date, 1);
  for (;;) {
    for (const p of periodsOn(date, hours)) {
      const end = at(date, p.end, timeZone);
      if (end > ms) yield { start: at(date, p.start, timeZone), end };
    }
    date = calendar.addWorkdays(date, 1);
  }
}

/** The working periods that start before `ms` (the one containing it clipped at `ms`), backwards. */
function* periodsBefore(ms: number, { calendar, hours, timeZone }: Frame): Generator<{ start: number; end: number }> {
  let date = calendarDateOf(ms, timeZone);
  if (!calendar.isWorkday(date)) date = calendar.addWorkdays(date, -1);
  for (;;) {
    for (const p of [...periodsOn(date, hours)].reverse()) {
      const start = at(date, p.start, timeZone);
      if (start < ms) yield { start, end: Math.min(at(date, p.end, timeZone), ms) };
    }
    date = calendar.addWorkdays(date, -1);
  }
}

export function isWorkingTime(ms: number, calendar: WorkingCalendar, hours: WorkingHours, timeZone: string): boolean {
  const date = calendarDateOf(ms, timeZone);
  if (!calendar.isWorkday(date)) return false;
  const minute = localMinuteOfDay(ms, timeZone);
  return periodsOn(date, hours).some((p) => minute >= p.start && minute < p.end);
}

/**
 * The first workday a step started at `ms` leaves time to work on: its own day, unless it came after the day's last
 * working period or on a day off. Limits and durations in workdays count from it, so an evening start is not due at
 * midnight (a start over lunch still counts its own day).
 */
export function firstWorkdayOf(ms: number, calendar: WorkingCalendar, hours: WorkingHours, timeZone: string): CalendarDate {
  const date = calendarDateOf(ms, timeZone);
  if (calendar.isWorkday(date)) {
    const last = periodsOn(date, hours).at(-1)!;
    if (localMinuteOfDay(ms, timeZone) >= last.end) return calendar.addWorkdays(date, 1);
  }
  return calendar.nextWorkdayOnOrAfter(date);
}

/** `ms` when it is working time, else the start of the next working period (after lunch: the afternoon's start). */
export function nextWorkingTime(ms: number, calendar: WorkingCalendar, hours: WorkingHours, timeZone: string): number {
  const { value } = periodsFrom(ms, { calendar, hours, timeZone }).next();
  return Math.max(ms, value!.start);
}

/** The instant `minutes` of working time after `from` (time outside working periods does not count). */
export function addWorkingMinutes(from: number, minutes: number, calendar: WorkingCalendar, hours: WorkingHours, timeZone: string): number {
  let remaining = minutes * MINUTE_MS;
  for (const period of periodsFrom(from, { calendar, hours, timeZone })) {
    const start = Math.max(from, period.start);
    if (start + remaining <= period.end) return start + remaining;
    remaining -= period.end - start;
  }
  throw new Error('unreachable');
}

/** Working minutes in [from, to): time outside working periods and non-workdays does not count. */
export function workingMinutesBetween(from: number, to: number, calendar: WorkingCalendar, hours: WorkingHours, timeZone: string): number {
  let total = 0;
  for (const period of periodsFrom(from, { calendar, hours, timeZone })) {
    const start = Math.max(from, period.start);
    if (start >= to) break;
    total += Math.min(period.end, to) - start;
  }
  return total / MINUTE_MS;
}

/**
 * The instant `minutes` of working time before `from`. Landing exactly on the start of a working period, it answers
 * that start rather than the end of the period before: the same point in working time, at an hour someone is there.
 */
export function subtractWorkingMinutes(from: number, minutes: number, calendar: WorkingCalendar, hours: WorkingHours, timeZone: string): number {
  let remaining = minutes * MINUTE_MS;
  for (const period of periodsBefore(from, { calendar, hours, timeZone })) {
    if (period.end - remaining >= period.start) return period.end - remaining;
    remaining -= period.end - period.start;
  }
  throw new Error('unreachable');
}
