// Reads one application as a ProgressView. A read never writes: a plan out of date (made on an earlier day, or before
// today's working hours ended) is shown as the refresh will store it, computed in memory from the stored facts.
import { getProcess } from '../domain/catalog.ts';
import { isPlanCurrent } from '../domain/plan-refresh.ts';
import { buildProgressView, type Audience, type HandlerContact, type ProgressView } from '../domain/progress-view.ts';
import { DEFAULT_WORKING_HOURS } from '../domain/working-time.ts';
import type { ApplicationRow, ApplicationStore, ViewStep } from './application-store.ts';
import type { ServiceContext } from '../shared/context.ts';
import { currentPlan } from './planning.ts';

export function createProgressViews(ctx: ServiceContext, store: ApplicationStore) {
  const frame = { calendar: ctx.calendar, timeZone: ctx.timeZone, workingHours: ctx.workingHours ?? DEFAULT_WORKING_HOURS };

  /** The application and its steps with the plan current at `now`. */
  async function current(application: ApplicationRow, steps: ViewStep[], now: number): Promise<{ application: ApplicationRow; steps: ViewStep[] }> {
    if (application.status !== 'active' || isPlanCurrent({ plannedOn: application.plannedOn, plannedAt: application.updatedAt }, now, frame)) {
      return { application, steps };
    }
    const plan = await currentPlan(ctx, store, application, steps, now);
    const byCode = new Map(plan.steps.map((s) => [s.stepCode, s]));
    return {
      application: { ...application, ...plan.application },
      steps: steps.map((s) => {
        const planned = byCode.get(s.stepCode);
        return planned ? { ...s, plannedStart: planned.plannedStart, plannedEnd: planned.plannedEnd, dueAt: planned.dueAt } : s;
      }),
    };
  }

  async function view(row: ApplicationRow, audience: Audience): Promise<ProgressView> {
    const now = ctx.clock.now();
    const { application, steps } = await current(row, await store.stepsForView(row.applicationNo), now);
    const contacts = new Map<string, HandlerContact>();
    for (const s of steps) {
      if (s.handlerId !== null && s.handlerTeamId !== null) contacts.set(s.handlerId, { name: s.handlerName!, phone: s.handlerPhone! });
    }
    return buildProgressView({
      application,
      process: getProcess(ctx.catalog, application.processCode),
      steps,
      handlerOf: (id) => contacts.get(id),
      now,
      timeZone: ctx.timeZone,
      audience,
    });
  }

  return {
    async staffView(applicationNo: string): Promise<ProgressView | undefined> {
      const row = await store.application(applicationNo);
      return row && view(row, 'staff');
    },
    async customerView(applicationNo: string): Promise<ProgressView | undefined> {
      const row = await store.application(applicationNo);
      return row && view(row, 'customer');
    },
    /** Newest first; only the applications whose query code matches. */
    async customerViewsOfAccount(accountNo: string, queryCodeHmac: string): Promise<ProgressView[]> {
      return Promise.all((await store.applicationsOfAccount(accountNo, queryCodeHmac)).map((row) => view(row, 'customer')));
    },
    async accountOf(applicationNo: string): Promise<string | undefined> {
      return (await store.application(applicationNo))?.accountNo;
    },
  };
}

export type ProgressViews = ReturnType<typeof createProgressViews>;
