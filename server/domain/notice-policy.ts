// Which facts are worth a text of their own: plan changes that matter, and facts that arrive too late to announce.
import { addDays, type CalendarDate } from './dates.ts';
import type { WorkingCalendar } from './calendar.ts';

export interface PlanMove {
  /** the expected connection date the customer last heard of */
  previous: CalendarDate;
  next: CalendarDate;
  /** whether the requested date could be met before; null when unknown (treated as unchanged) */
  previousFeasible: boolean | null;
  feasible: boolean;
}

/**
 * A plan change gets its own text only when it matters to the customer: the expected date moves later by at least
 * `minWorkdays` workdays, or the requested date becomes infeasible or feasible again. Smaller moves and moves earlier
 * ride along in the next step text, which carries the current expected date.
 */
export function planChangeWorthText(move: PlanMove, minWorkdays: number, calendar: Pick<WorkingCalendar, 'workdaysBetweenInclusive'>): boolean {
  if (move.previousFeasible !== null && move.previousFeasible !== move.feasible) return true;
  if (move.next <= move.previous) return false;
  return calendar.workdaysBetweenInclusive(addDays(move.previous, 1), move.next) >= minWorkdays;
}

/** A fact that happened more than `horizonMs` before it arrived: it updates the mirror, but is no news to announce. */
export function isLateFact(at: number, now: number, horizonMs: number): boolean {
  return at < now - horizonMs;
}
