// Re-plans one application from its stored steps and writes the plan back. Runs inside the caller's transaction.
import { calendarDateOf } from '../domain/dates.ts';
import { DEFAULT_WARNING_RULE, getProcess, type Process } from '../domain/catalog.ts';
import { planApplication, type PlanInput } from '../domain/planner.ts';
import { applicationLimitDueAt, owedAlertAt, warningInstant } from '../domain/sla.ts';
import { DEFAULT_WORKING_HOURS } from '../domain/working-time.ts';
import type { ApplicationRow, StepRow } from '../../db/application-store.ts';
import type { ServiceContext } from './context.ts';

export interface Replanned {
  applicationNo: string;
  previousExpectedConnectDate: string | null;
  expectedConnectDate: string | null;
  feasible: boolean;
  /** whether the requested date could be met before this re-plan; null for the first plan */
  previousFeasible: boolean | null;
  /** true for the first plan of an application */
  first: boolean;
}

/** What every plan of `process` is made with: the calendar, the working hours and the learnt typical durations. */
function planningFrame(ctx: ServiceContext, process: Process): Pick<PlanInput, 'calendar' | 'timeZone' | 'workingHours' | 'typicalWorkdays'> {
  return {
    calendar: ctx.calendar,
    timeZone: ctx.timeZone,
    workingHours: ctx.workingHours ?? DEFAULT_WORKING_HOURS,
    typicalWorkdays: (stepCode) => {
      const step = process.steps.find((s) => s.code === stepCode);
      return step ? ctx.learnt.typicalWorkdays(process.code, step) : undefined;
    },
  };
}

export function replanApplication(ctx: ServiceContext, application: ApplicationRow, now: number, first = false): Replanned {
  const process = getProcess(ctx.catalog, application.processCode);
  const steps: StepRow[] = ctx.store.steps(application.applicationNo);
  const today = calendarDateOf(now, ctx.timeZone);
  const plan = planApplication({
    process,
    steps: steps.map((s) => ({ code: s.stepCode, status: s.status, actualStart: s.actualStart, actualEnd: s.actualEnd })),
    requestedConnectDate: application.requestedConnectDate,
    today,
    now,
    ...planningFrame(ctx, process),
  });
  const stored = new Map(steps.map((s) => [s.stepCode, s]));
  const active = application.status === 'active';
  const frame = { calendar: ctx.calendar, hours: ctx.workingHours ?? DEFAULT_WORKING_HOURS, timeZone: ctx.timeZone };
  // Which alerts each occurrence already had, so a re-plan never makes a step owe one again.
  const raised = active && steps.some((s) => s.status === 'in_progress') ? ctx.store.raisedAlerts(application.applicationNo) : [];
  const hasRaised = (stepCode: string, occurrence: number, level: 'warning' | 'overdue') =>
    raised.some((a) => a.stepCode === stepCode && a.occurrence === occurrence && a.level === level);
  process.steps.forEach((step, i) => {
    const planned = plan.steps[i]!;
    const row = stored.get(planned.code);
    if (!row) return;
    let warnAt: number | null = null;
    let alertAt: number | null = null;
    if (step.side === 'utility' && row.status === 'in_progress' && row.actualStart !== null && planned.dueAt !== null) {
      warnAt = warningInstant(row.actualStart, planned.dueAt, step.warning ?? DEFAULT_WARNING_RULE, frame);
      if (active) {
        alertAt = owedAlertAt({
          warnAt,
          dueAt: planned.dueAt,
          warned: hasRaised(step.code, row.actualStart, 'warning'),
          overdue: hasRaised(step.code, row.actualStart, 'overdue'),
        });
      }
    }
    if (
      row.plannedStart !== planned.plannedStart ||
      row.plannedEnd !== planned.plannedEnd ||
      row.dueAt !== planned.dueAt ||
      row.warnAt !== warnAt ||
      row.alertAt !== alertAt
    ) {
      ctx.store.updateStepPlan({
        applicationNo: application.applicationNo,
        stepCode: planned.code,
        plannedStart: planned.plannedStart,
        plannedEnd: planned.plannedEnd,
        dueAt: planned.dueAt,
        warnAt,
        alertAt,
      });
    }
  });
  const utilityTimes = process.steps.flatMap((step) => {
    const row = stored.get(step.code);
    return step.side === 'utility' && row && row.actualStart !== null && row.status !== 'pending'
      ? [{ start: row.actualStart, end: row.status === 'done' ? row.actualEnd : null }]
      : [];
  });
  const limitAlertAt =
    active && !hasRaised('', 0, 'overdue') ? applicationLimitDueAt(process.totalLimit, utilityTimes, frame) : null;
  ctx.store.updateApplicationPlan({
    applicationNo: application.applicationNo,
    expectedConnectDate: plan.expectedConnectDate,
    planFeasible: plan.feasible,
    earliestFeasibleDate: plan.earliestFeasibleDate,
    planBasis: plan.basis,
    planCompressed: plan.compressed,
    plannedOn: today,
    updatedAt: now,
    limitAlertAt,
  });
  return {
    applicationNo: application.applicationNo,
    previousExpectedConnectDate: first ? null : application.expectedConnectDate,
    expectedConnectDate: plan.expectedConnectDate,
    feasible: plan.feasible,
    previousFeasible: first ? null : application.planFeasible,
    first,
  };
}

/**
 * The due time a step occurrence started at `start` had while it ran, as the re-plan at its start would have stored
 * it (the plan of that day, the step in progress, the steps after it not begun): for a step whose start and
 * completion arrive together, so it is judged by the same rule as one the sweep saw running.
 */
export function runningDueAt(ctx: ServiceContext, application: ApplicationRow, stepCode: string, start: number): number | null {
  const process = getProcess(ctx.catalog, application.processCode);
  const index = process.steps.findIndex((s) => s.code === stepCode);
  if (index < 0) return null;
  const stored = new Map(ctx.store.steps(application.applicationNo).map((s) => [s.stepCode, s]));
  const plan = planApplication({
    process,
    steps: process.steps.map((step, i) => {
      const row = stored.get(step.code);
      if (i === index) return { code: step.code, status: 'in_progress' as const, actualStart: start, actualEnd: null };
      if (i > index || !row) return { code: step.code, status: 'pending' as const, actualStart: null, actualEnd: null };
      return { code: step.code, status: row.status, actualStart: row.actualStart, actualEnd: row.actualEnd };
    }),
    requestedConnectDate: application.requestedConnectDate,
    today: calendarDateOf(start, ctx.timeZone),
    now: start,
    ...planningFrame(ctx, process),
  });
  return plan.steps[index]!.dueAt;
}
