// Re-plans one application from its stored steps and writes the plan back. Runs inside the caller's transaction.
import { calendarDateOf } from '../domain/dates.ts';
import { getProcess } from '../domain/catalog.ts';
import { planApplication } from '../domain/planner.ts';
import type { ApplicationRow, StepRow } from '../../db/application-store.ts';
import type { ServiceContext } from './context.ts';

export interface Replanned {
  applicationNo: string;
  previousExpectedConnectDate: string | null;
  expectedConnectDate: string | null;
  feasible: boolean;
  /** true for the first plan of an application */
  first: boolean;
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
    calendar: ctx.calendar,
    timeZone: ctx.timeZone,
    typicalWorkdays: (stepCode) => {
      const step = process.steps.find((s) => s.code === stepCode);
      return step ? ctx.learnt.typicalWorkdays(process.code, step) : undefined;
    },
  });
  const stored = new Map(steps.map((s) => [s.stepCode, s]));
  for (const planned of plan.steps) {
    const row = stored.get(planned.code);
    if (!row) continue;
    if (row.plannedStart !== planned.plannedStart || row.plannedEnd !== planned.plannedEnd || row.dueAt !== planned.dueAt) {
      ctx.store.updateStepPlan({
        applicationNo: application.applicationNo,
        stepCode: planned.code,
        plannedStart: planned.plannedStart,
        plannedEnd: planned.plannedEnd,
        dueAt: planned.dueAt,
      });
    }
  }
  ctx.store.updateApplicationPlan({
    applicationNo: application.applicationNo,
    expectedConnectDate: plan.expectedConnectDate,
    planFeasible: plan.feasible,
    earliestFeasibleDate: plan.earliestFeasibleDate,
    planBasis: plan.basis,
    planCompressed: plan.compressed,
    plannedOn: today,
    updatedAt: now,
  });
  return {
    applicationNo: application.applicationNo,
    previousExpectedConnectDate: first ? null : application.expectedConnectDate,
    expectedConnectDate: plan.expectedConnectDate,
    feasible: plan.feasible,
    first,
  };
}
