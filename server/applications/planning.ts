// Re-plans one application from its stored facts and writes the plan back. Runs inside the caller's unit of work,
// with its store.
import { calendarDateOf } from '../domain/dates.ts';
import { getProcess, type Process } from '../domain/catalog.ts';
import { planApplication } from '../domain/planner.ts';
import { owesAlerts, refreshedPlan, type PlanFacts, type PlanningFrame, type RefreshedPlan } from '../domain/plan-refresh.ts';
import { DEFAULT_WORKING_HOURS } from '../domain/working-time.ts';
import type { ApplicationRow, ApplicationStore, StepRow } from './application-store.ts';
import type { ServiceContext } from '../shared/context.ts';

export interface Replanned {
  applicationNo: string;
  previousExpectedConnectDate: string | null;
  expectedConnectDate: string | null;
  feasible: boolean;
  /** whether the requested date could be met before this re-plan; null for the first plan */
  previousFeasible: boolean | null;
  /** true for the first plan of an application */
  first: boolean;
  /** a staff re-plan set a new requested date: the customer hears the plan even when the expected date stays */
  requestedDateSet?: boolean;
}

/**
 * What every plan of `process` is made with: the calendar, the working hours and the learnt typical durations (loaded
 * first: `ctx.learnt.load`).
 */
export function planningFrame(ctx: ServiceContext, process: Process): PlanningFrame {
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

/** The plan the application's stored facts give at `now`; reads only. */
export async function currentPlan(
  ctx: ServiceContext,
  store: ApplicationStore,
  application: Pick<ApplicationRow, 'applicationNo' | 'processCode' | 'requestedConnectDate' | 'status'>,
  steps: PlanFacts['steps'],
  now: number,
): Promise<RefreshedPlan> {
  const process = getProcess(ctx.catalog, application.processCode);
  const active = application.status === 'active';
  const raised = owesAlerts(active, steps) ? await store.raisedAlerts(application.applicationNo) : [];
  const share = ctx.limitRiskShare ?? null;
  const limitRisk = share === null ? undefined : { share, raised: await store.limitRiskRaised(application.applicationNo) };
  await ctx.learnt.load(store, process);
  return refreshedPlan({ process, requestedConnectDate: application.requestedConnectDate, active, steps, raised, limitRisk }, now, planningFrame(ctx, process));
}

export async function replanApplication(ctx: ServiceContext, store: ApplicationStore, application: ApplicationRow, now: number, first = false): Promise<Replanned> {
  const steps: StepRow[] = await store.steps(application.applicationNo);
  const plan = await currentPlan(ctx, store, application, steps, now);
  const stored = new Map(steps.map((s) => [s.stepCode, s]));
  for (const planned of plan.steps) {
    const row = stored.get(planned.stepCode)!;
    if (
      row.plannedStart !== planned.plannedStart ||
      row.plannedEnd !== planned.plannedEnd ||
      row.dueAt !== planned.dueAt ||
      row.warnAt !== planned.warnAt ||
      row.alertAt !== planned.alertAt
    ) {
      await store.updateStepPlan({ applicationNo: application.applicationNo, ...planned });
    }
  }
  await store.updateApplicationPlan({ applicationNo: application.applicationNo, ...plan.application });
  return {
    applicationNo: application.applicationNo,
    previousExpectedConnectDate: first ? null : application.expectedConnectDate,
    expectedConnectDate: plan.application.expectedConnectDate,
    feasible: plan.application.planFeasible,
    previousFeasible: first ? null : application.planFeasible,
    first,
  };
}

/**
 * The due time a step occurrence started at `start` had while it ran, as the re-plan at its start would have stored
 * it (the plan of that day, the step in progress, the steps after it not begun): for a step whose start and
 * completion arrive together, so it is judged by the same rule as one the sweep saw running.
 */
export async function runningDueAt(ctx: ServiceContext, store: ApplicationStore, application: ApplicationRow, stepCode: string, start: number): Promise<number | null> {
  const process = getProcess(ctx.catalog, application.processCode);
  const index = process.steps.findIndex((s) => s.code === stepCode);
  if (index < 0) return null;
  const stored = new Map((await store.steps(application.applicationNo)).map((s) => [s.stepCode, s]));
  await ctx.learnt.load(store, process);
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
