// Typical step durations (经验值) learnt from completed applications, with the catalog as the prior.
import type { WorkingCalendar } from './calendar.ts';
import type { ProcessStep } from './catalog.ts';
import { calendarDateOf, type CalendarDate } from './dates.ts';
import { firstWorkdayOf, type WorkingHours } from './working-time.ts';

/** How many of the most recent completed durations the median looks at. */
export const LEARNT_TYPICAL_WINDOW = 50;
/** Below this many completed durations the catalog's typical value is used. */
export const LEARNT_TYPICAL_MIN_SAMPLES = 5;

/** Workdays a step took, counting both its start and end day; a step done within a weekend counts 1. */
export function stepDurationWorkdays(calendar: WorkingCalendar, startDate: CalendarDate, endDate: CalendarDate): number {
  return Math.max(1, calendar.workdaysBetweenInclusive(startDate, endDate));
}

/** Workdays a step started at `start` and done at `end` took, from its first workday (an evening start: the next). */
export function workdaysTaken(start: number, end: number, calendar: WorkingCalendar, hours: WorkingHours, timeZone: string): number {
  return stepDurationWorkdays(calendar, firstWorkdayOf(start, calendar, hours, timeZone), calendarDateOf(end, timeZone));
}

function median(sorted: number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The median of the last LEARNT_TYPICAL_WINDOW durations (oldest first) once there are at least
 * LEARNT_TYPICAL_MIN_SAMPLES, rounded up to a whole workday and capped by the step's limit.
 */
export function learntTypicalWorkdays(
  recentDurations: readonly number[],
  catalogStep: Pick<ProcessStep, 'typicalWorkdays' | 'limitWorkdays'>,
): number {
  const usable = recentDurations.filter((d) => Number.isFinite(d) && d > 0);
  const learnt =
    usable.length >= LEARNT_TYPICAL_MIN_SAMPLES
      ? Math.ceil(median(usable.slice(-LEARNT_TYPICAL_WINDOW).sort((a, b) => a - b)))
      : catalogStep.typicalWorkdays;
  const capped = catalogStep.limitWorkdays === null ? learnt : Math.min(learnt, catalogStep.limitWorkdays);
  return Math.max(1, capped);
}
