// A stored plan's refresh: whether the plan an application holds is still current, and the plan its stored facts
// give now. One function for both readers: a read shows it (writing nothing), the re-plan stores it.
import { DEFAULT_WARNING_RULE, type Process } from './catalog.ts';
import type { WorkingCalendar } from './calendar.ts';
import { calendarDateOf, startOfDay, type CalendarDate } from './dates.ts';
import { planApplication, type PlanBasis } from './planner.ts';
import type { StepStatus } from './step-state.ts';
import { applicationLimitDueAt, owedAlertAt, warningInstant, type TimeFrame } from './sla.ts';
import { periodsOn, type WorkingHours } from './working-time.ts';
import { limitDaysBeforeRisk } from './risk.ts';

/** What every plan is made with: the calendar, the working hours and the learnt typical durations. */
export interface PlanningFrame {
  calendar: WorkingCalendar;
  timeZone: string;
  workingHours: WorkingHours;
  /** learnt typical durations by step code; undefined falls back to the catalog */
  typicalWorkdays?: (stepCode: string) => number | undefined;
}

/** The facts a plan follows from: the application's requested date and status, its steps' states, its raised alerts. */
export interface PlanFacts {
  process: Process;
  requestedConnectDate: CalendarDate | null;
  /** only an active application owes alerts */
  active: boolean;
  /** one per stored step row, any order */
  steps: { stepCode: string; status: StepStatus; actualStart: number | null; actualEnd: number | null }[];
  /**
   * The time-limit alerts already raised (step '' = application-level), so a refresh never makes a step owe one
   * again. Only read when `owesAlerts` says so.
   */
  raised: { stepCode: string; occurrence: number; level: 'warning' | 'overdue' }[];
  /**
   * The complaint-risk rule on the total limit (catalog/risk-rules.json): its share of the limit below which, with the
   * requested date infeasible, the application is at risk, and whether that signal was already raised (it is raised
   * once). Left out: not watched.
   */
  limitRisk?: { share: number; raised: boolean };
}

export interface ApplicationPlan {
  expectedConnectDate: CalendarDate | null;
  planFeasible: boolean;
  earliestFeasibleDate: CalendarDate | null;
  planBasis: PlanBasis;
  planCompressed: boolean;
  /** the `today` the plan was made for */
  plannedOn: CalendarDate;
  /** the instant the plan was made */
  updatedAt: number;
  /** when the application's utility-side time passes its total limit, while that alert is owed */
  limitAlertAt: number | null;
  /**
   * when less than the risk rule's share of the total limit will be left while the requested date cannot be met (a
   * complaint-risk signal), while that signal is owed
   */
  riskLimitAt: number | null;
}

export interface StepPlan {
  stepCode: string;
  plannedStart: CalendarDate | null;
  plannedEnd: CalendarDate | null;
  dueAt: number | null;
  warnAt: number | null;
  alertAt: number | null;
}

/** The plan as stored: the application's fields and one entry per step row given in the facts, in process order. */
export interface RefreshedPlan {
  application: ApplicationPlan;
  steps: StepPlan[];
}

/** Whether the raised alerts matter to the plan: an active application with a step under way. */
export function owesAlerts(active: boolean, steps: readonly { status: StepStatus }[]): boolean {
  return active && steps.some((s) => s.status === 'in_progress');
}

/**
 * The latest instant at or before `now` at which every plan made earlier went out of date: the day's start, or, once
 * a workday's working hours are over, their end (the planner then plans from the next workday: the day is over).
 */
export function planningDayStart(now: number, frame: Pick<PlanningFrame, 'calendar' | 'timeZone' | 'workingHours'>): number {
  const today = calendarDateOf(now, frame.timeZone);
  const midnight = startOfDay(today, frame.timeZone);
  if (!frame.calendar.isWorkday(today)) return midnight;
  const lastPeriod = periodsOn(today, frame.workingHours).at(-1);
  if (!lastPeriod) return midnight;
  const hoursEnd = midnight + lastPeriod.end * 60_000;
  return now >= hoursEnd ? hoursEnd : midnight;
}

/**
 * Whether a stored plan is still current at `now`: made for today, and not before today's working hours ended when
 * they have. `plannedAt` is the instant the plan was stored (the application's `updatedAt`).
 */
export function isPlanCurrent(plan: { plannedOn: CalendarDate; plannedAt: number }, now: number, frame: Pick<PlanningFrame, 'calendar' | 'timeZone' | 'workingHours'>): boolean {
  if (plan.plannedOn !== calendarDateOf(now, frame.timeZone)) return false;
  const since = planningDayStart(now, frame);
  return since === startOfDay(plan.plannedOn, frame.timeZone) || plan.plannedAt >= since;
}

/** The plan the facts give at `now`, with the time-limit instants the SLA sweep keys on. */
export function refreshedPlan(facts: PlanFacts, now: number, frame: PlanningFrame): RefreshedPlan {
  const { process } = facts;
  const today = calendarDateOf(now, frame.timeZone);
  const plan = planApplication({
    process,
    steps: facts.steps.map((s) => ({ code: s.stepCode, status: s.status, actualStart: s.actualStart, actualEnd: s.actualEnd })),
    requestedConnectDate: facts.requestedConnectDate,
    today,
    now,
    calendar: frame.calendar,
    timeZone: frame.timeZone,
    workingHours: frame.workingHours,
    typicalWorkdays: frame.typicalWorkdays,
  });
  const stored = new Map(facts.steps.map((s) => [s.stepCode, s]));
  const timeFrame: TimeFrame = { calendar: frame.calendar, hours: frame.workingHours, timeZone: frame.timeZone };
  const raised = owesAlerts(facts.active, facts.steps) ? facts.raised : [];
  const hasRaised = (stepCode: string, occurrence: number, level: 'warning' | 'overdue') =>
    raised.some((a) => a.stepCode === stepCode && a.occurrence === occurrence && a.level === level);
  const steps: StepPlan[] = [];
  process.steps.forEach((step, i) => {
    const planned = plan.steps[i]!;
    const row = stored.get(planned.code);
    if (!row) return;
    let warnAt: number | null = null;
    let alertAt: number | null = null;
    if (step.side === 'utility' && row.status === 'in_progress' && row.actualStart !== null && planned.dueAt !== null) {
      warnAt = warningInstant(row.actualStart, planned.dueAt, step.warning ?? DEFAULT_WARNING_RULE, timeFrame);
      if (facts.active) {
        alertAt = owedAlertAt({
          warnAt,
          dueAt: planned.dueAt,
          warned: hasRaised(step.code, row.actualStart, 'warning'),
          overdue: hasRaised(step.code, row.actualStart, 'overdue'),
        });
      }
    }
    steps.push({ stepCode: planned.code, plannedStart: planned.plannedStart, plannedEnd: planned.plannedEnd, dueAt: planned.dueAt, warnAt, alertAt });
  });
  const utilityTimes = process.steps.flatMap((step) => {
    const row = stored.get(step.code);
    return step.side === 'utility' && row && row.actualStart !== null && row.status !== 'pending'
      ? [{ start: row.actualStart, end: row.status === 'done' ? row.actualEnd : null }]
      : [];
  });
  const limitAlertAt = facts.active && !hasRaised('', 0, 'overdue') ? applicationLimitDueAt(process.totalLimit, utilityTimes, timeFrame) : null;
  const risk = facts.limitRisk;
  const riskLimitAt =
    facts.active && risk && !risk.raised && !plan.feasible && facts.requestedConnectDate !== null
      ? applicationLimitDueAt({ ...process.totalLimit, days: limitDaysBeforeRisk(process.totalLimit, risk.share) }, utilityTimes, timeFrame)
      : null;
  return {
    application: {
      expectedConnectDate: plan.expectedConnectDate,
      planFeasible: plan.feasible,
      earliestFeasibleDate: plan.earliestFeasibleDate,
      planBasis: plan.basis,
      planCompressed: plan.compressed,
      plannedOn: today,
      updatedAt: now,
      limitAlertAt,
      riskLimitAt,
    },
    steps,
  };
}
