// Time limits (办理时限) as instants: when a step's handler is warned, which alert a step occurrence still owes, and
// when an application's utility-side time runs past its process's total limit (in workdays or calendar days).
import type { WorkingCalendar } from './calendar.ts';
import type { TotalLimit, WarningRule } from './catalog.ts';
import { addDays, calendarDateOf, endOfDay, toDayNumber, type CalendarDate } from './dates.ts';
import { workdaysTaken } from './typical-durations.ts';
import { firstWorkdayOf, subtractWorkingMinutes, workingMinutesBetween, workingMinutesOfDay, type WorkingHours } from './working-time.ts';

export interface TimeFrame {
  calendar: WorkingCalendar;
  hours: WorkingHours;
  timeZone: string;
}

/**
 * The warning instant of a step started at `start` and due at `dueAt`: when `rule.remainingWorkdays` working days
 * or `rule.remainingShare` of the working time allowed between start and due remain, whichever comes first.
 * A step allowed no more than the threshold (a one-day step, say) is warned as it starts: it is due that soon.
 */
export function warningInstant(start: number, dueAt: number, rule: WarningRule, frame: TimeFrame): number {
  const { calendar, hours, timeZone } = frame;
  const allowed = workingMinutesBetween(start, dueAt, calendar, hours, timeZone);
  const threshold = Math.max(rule.remainingWorkdays * workingMinutesOfDay(calendarDateOf(dueAt, timeZone), hours), rule.remainingShare * allowed);
  if (threshold >= allowed) return Math.min(start, dueAt);
  return Math.max(start, subtractWorkingMinutes(dueAt, threshold, calendar, hours, timeZone));
}

/**
 * The next alert an in-progress occurrence owes (the sweep's key): its warning, then its overdue alert, then none.
 * A warning that would come at or after the due time is not owed: the overdue alert says more.
 */
export function owedAlertAt(step: { warnAt: number | null; dueAt: number | null; warned: boolean; overdue: boolean }): number | null {
  if (step.dueAt === null || step.overdue) return null;
  if (!step.warned && step.warnAt !== null && step.warnAt < step.dueAt) return step.warnAt;
  return step.dueAt;
}

/** What a sweep raises for an occurrence whose alert time has come: overdue once due (its warning is then moot). */
export function alertLevelAt(now: number, dueAt: number): 'warning' | 'overdue' {
  return now >= dueAt ? 'overdue' : 'warning';
}

/** The day a limit of `unit` counts from for a step started at `start`: for workdays, its first workday. */
function limitStartDate(start: number, unit: TotalLimit['unit'], frame: TimeFrame): CalendarDate {
  return unit === 'workdays' ? firstWorkdayOf(start, frame.calendar, frame.hours, frame.timeZone) : calendarDateOf(start, frame.timeZone);
}

/** Days of `limit.unit` from `start` to `end`, both counted (a step done within a weekend counts 1 workday). */
function daysTaken(start: number, end: number, unit: TotalLimit['unit'], frame: TimeFrame): number {
  if (unit === 'workdays') return workdaysTaken(start, end, frame.calendar, frame.hours, frame.timeZone);
  return Math.max(1, toDayNumber(calendarDateOf(end, frame.timeZone)) - toDayNumber(calendarDateOf(start, frame.timeZone)) + 1);
}

export interface UtilityStepTime {
  /** epoch ms; steps never started are left out by the caller */
  start: number;
  end: number | null;
}

/**
 * When the application's utility-side time passes `limit`: the end of the last day the limit allows, counting the
 * days each finished utility step took and the running one from its start. Null when no utility step is under way
 * (a customer's own work does not count against the utility). A limit already used up answers the running step's start.
 */
export function applicationLimitDueAt(limit: TotalLimit, steps: UtilityStepTime[], frame: TimeFrame): number | null {
  const { calendar, timeZone } = frame;
  const running = steps.filter((s) => s.end === null);
  if (running.length === 0) return null;
  let used = 0;
  for (const s of steps) {
    if (s.end !== null) used += daysTaken(s.start, s.end, limit.unit, frame);
  }
  // Steps running side by side use the same days once.
  const start = Math.min(...running.map((s) => s.start));
  const left = limit.days - used;
  if (left <= 0) return start;
  const startDate = limitStartDate(start, limit.unit, frame);
  const lastDay =
    limit.unit === 'workdays' ? calendar.dateOfWorkdayOrdinal(calendar.workdayOrdinal(startDate) + left - 1) : addDays(startDate, left - 1);
  return endOfDay(lastDay, timeZone);
}
