// Working time: workdays of the calendar between the day's working hours (08:30–17:30 by default).
// Handlers are texted only in working time, and a hurry escalates after 4 working hours.
import type { WorkingCalendar } from './calendar.ts';
import { calendarDateOf, startOfDay, type CalendarDate } from './dates.ts';
import { localMinuteOfDay } from './delivery-policy.ts';

export interface WorkingHours {
  /** minutes after local midnight */
  start: number;
  end: number;
}

export const DEFAULT_WORKING_HOURS: WorkingHours = { start: 8 * 60 + 30, end: 17 * 60 + 30 };
const MINUTE_MS = 60_000;

// Local wall-clock minute → instant. Exact for zones without daylight saving (China); elsewhere off by the
// shift on the two transition days, which working hours do not straddle in practice.
const at = (date: CalendarDate, minute: number, timeZone: string) => startOfDay(date, timeZone) + minute * MINUTE_MS;

export function isWorkingTime(ms: number, calendar: WorkingCalendar, hours: WorkingHours, timeZone: string): boolean {
  const minute = localMinuteOfDay(ms, timeZone);
  return calendar.isWorkday(calendarDateOf(ms, timeZone)) && minute >= hours.start && minute < hours.end;
}

/**
 * The first workday a step started at `ms` leaves time to work on: its own day, unless it came after the day's working
 * hours or on a day off. Limits and durations in workdays count from it, so an evening start is not due at midnight.
 */
export function firstWorkdayOf(ms: number, calendar: WorkingCalendar, hours: WorkingHours, timeZone: string): CalendarDate {
  const date = calendarDateOf(ms, timeZone);
  if (calendar.isWorkday(date) && localMinuteOfDay(ms, timeZone) >= hours.end) return calendar.addWorkdays(date, 1);
  return calendar.nextWorkdayOnOrAfter(date);
}

/** `ms` when it is working time, else the start of the next working period. */
export function nextWorkingTime(ms: number, calendar: WorkingCalendar, hours: WorkingHours, timeZone: string): number {
  const date = calendarDateOf(ms, timeZone);
  const minute = localMinuteOfDay(ms, timeZone);
  if (calendar.isWorkday(date)) {
    if (minute < hours.start) return at(date, hours.start, timeZone);
    if (minute < hours.end) return ms;
  }
  return at(calendar.addWorkdays(date, 1), hours.start, timeZone);
}

/** The instant `minutes` of working time after `from` (time outside working hours does not count). */
export function addWorkingMinutes(from: number, minutes: number, calendar: WorkingCalendar, hours: WorkingHours, timeZone: string): number {
  let cursor = nextWorkingTime(from, calendar, hours, timeZone);
  let remaining = minutes * MINUTE_MS;
  for (;;) {
    const date = calendarDateOf(cursor, timeZone);
    const dayEnd = at(date, hours.end, timeZone);
    if (cursor + remaining <= dayEnd) return cursor + remaining;
    remaining -= dayEnd - cursor;
    cursor = at(calendar.addWorkdays(date, 1), hours.start, timeZone);
  }
}

/** Working minutes in [from, to): time outside working hours and non-workdays does not count. */
export function workingMinutesBetween(from: number, to: number, calendar: WorkingCalendar, hours: WorkingHours, timeZone: string): number {
  let cursor = nextWorkingTime(from, calendar, hours, timeZone);
  let total = 0;
  while (cursor < to) {
    const date = calendarDateOf(cursor, timeZone);
    total += Math.min(at(date, hours.end, timeZone), to) - cursor;
    cursor = at(calendar.addWorkdays(date, 1), hours.start, timeZone);
  }
  return total / MINUTE_MS;
}

/**
 * The instant `minutes` of working time before `from`. Landing exactly on the start of a working day, it answers
 * that morning rather than the evening before: the same point in working time, at an hour someone is there.
 */
export function subtractWorkingMinutes(from: number, minutes: number, calendar: WorkingCalendar, hours: WorkingHours, timeZone: string): number {
  let date = calendarDateOf(from, timeZone);
  let cursor: number;
  if (calendar.isWorkday(date) && localMinuteOfDay(from, timeZone) > hours.start) {
    cursor = Math.min(from, at(date, hours.end, timeZone));
  } else {
    date = calendar.addWorkdays(date, -1);
    cursor = at(date, hours.end, timeZone);
  }
  let remaining = minutes * MINUTE_MS;
  for (;;) {
    const dayStart = at(date, hours.start, timeZone);
    if (cursor - remaining >= dayStart) return cursor - remaining;
    remaining -= cursor - dayStart;
    date = calendar.addWorkdays(date, -1);
    cursor = at(date, hours.end, timeZone);
  }
}
