// Reads one application as a ProgressView from its stored part (StoredProgress: one statement, written by every
// change to it), working out only what depends on the time of reading: overdue, and a plan out of date (made on an
// earlier day, or before today's working hours ended) shown as the refresh will store it, computed in memory from the
// stored facts. A read never writes.
import { getProcess } from '../domain/catalog.ts';
import { isPlanCurrent, refreshedPlan } from '../domain/plan-refresh.ts';
import { buildProgressView, type Audience, type HandlerContact, type ProgressView, type StoredProgress } from '../domain/progress-view.ts';
import { DEFAULT_WORKING_HOURS } from '../domain/working-time.ts';
import type { ApplicationStore } from './application-store.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { Stores, Transact } from '../stores.ts';
import { planningFrame } from './planning.ts';

export function createProgressViews(ctx: ServiceContext, store: ApplicationStore) {
  const frame = { calendar: ctx.calendar, timeZone: ctx.timeZone, workingHours: ctx.workingHours ?? DEFAULT_WORKING_HOURS };

  /** The stored part with the plan current at `now`. */
  async function current(stored: StoredProgress, now: number): Promise<StoredProgress> {
    const { application, steps } = stored;
    if (application.status !== 'active' || isPlanCurrent({ plannedOn: application.plannedOn, plannedAt: application.updatedAt }, now, frame)) return stored;
    const process = getProcess(ctx.catalog, application.processCode);
    await ctx.learnt.load(store, process);
    // A view shows no alert instants, the only part of a plan the raised alerts and the limit risk change: not read.
    const plan = refreshedPlan({ process, requestedConnectDate: application.requestedConnectDate, active: true, steps, raised: [] }, now, planningFrame(ctx, process));
    const byCode = new Map(plan.steps.map((s) => [s.stepCode, s]));
    return {
      application: { ...application, ...plan.application },
      steps: steps.map((s) => {
        const planned = byCode.get(s.stepCode);
        return planned ? { ...s, plannedStart: planned.plannedStart, plannedEnd: planned.plannedEnd, dueAt: planned.dueAt } : s;
      }),
    };
  }

  async function view(stored: StoredProgress, audience: Audience): Promise<ProgressView> {
    const now = ctx.clock.now();
    const { application, steps } = await current(stored, now);
    const contacts = new Map<string, HandlerContact>();
    for (const s of steps) if (s.handlerId !== null && s.handler !== null) contacts.set(s.handlerId, s.handler);
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
      const stored = await store.progressView(applicationNo);
      return stored && view(stored, 'staff');
    },
    async customerView(applicationNo: string): Promise<ProgressView | undefined> {
      const stored = await store.progressView(applicationNo);
      return stored && view(stored, 'customer');
    },
    /** Newest first; only the applications whose query code matches. */
    async customerViewsOfAccount(accountNo: string, queryCodeHmac: string): Promise<ProgressView[]> {
      return Promise.all((await store.progressViewsOfAccount(accountNo, queryCodeHmac)).map((stored) => view(stored, 'customer')));
    },
    async accountOf(applicationNo: string): Promise<string | undefined> {
      return (await store.application(applicationNo))?.accountNo;
    },
  };
}

export type ProgressViews = ReturnType<typeof createProgressViews>;

/**
 * Stores the progress views a database from before they were stored lacks (none once every application has one), a
 * unit of work per `chunk` applications; run at start, before reads are served. Returns how many it wrote.
 */
export async function storeMissingProgressViews(stores: Stores, transact: Transact, chunk = 500): Promise<number> {
  let written = 0;
  for (;;) {
    const missing = await stores.applications.applicationsWithoutProgressView(chunk);
    if (missing.length === 0) return written;
    await transact(({ applications }) => applications.rewriteProgressViews(missing));
    if ((await stores.applications.applicationsWithoutProgressView(1))[0] === missing[0]) throw new Error(`the progress view of ${missing[0]} was not stored`);
    written += missing.length;
  }
}
