// Reads one application as a ProgressView; a plan made on an earlier day is refreshed first.
import { getProcess } from '../domain/catalog.ts';
import { calendarDateOf } from '../domain/dates.ts';
import { buildProgressView, type Audience, type HandlerContact, type ProgressView } from '../domain/progress-view.ts';
import type { ApplicationRow } from '../../db/application-store.ts';
import type { ServiceContext } from './context.ts';
import type { IngestService } from './ingest.ts';

export function createProgressViews(ctx: ServiceContext, ingest: IngestService) {
  const { store } = ctx;

  function fresh(application: ApplicationRow, now: number): ApplicationRow {
    if (application.status !== 'active' || application.plannedOn === calendarDateOf(now, ctx.timeZone)) return application;
    if (!ingest.refreshPlan(application.applicationNo)) return application;
    return store.application(application.applicationNo) ?? application;
  }

  function view(row: ApplicationRow, audience: Audience): ProgressView {
    const now = ctx.clock.now();
    const application = fresh(row, now);
    const steps = store.stepsForView(application.applicationNo);
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
    staffView(applicationNo: string): ProgressView | undefined {
      const row = store.application(applicationNo);
      return row && view(row, 'staff');
    },
    customerView(applicationNo: string): ProgressView | undefined {
      const row = store.application(applicationNo);
      return row && view(row, 'customer');
    },
    /** Newest first; only the applications whose query code matches. */
    customerViewsOfAccount(accountNo: string, queryCodeHmac: string): ProgressView[] {
      return store.applicationsOfAccount(accountNo, queryCodeHmac).map((row) => view(row, 'customer'));
    },
    accountOf(applicationNo: string): string | undefined {
      return store.application(applicationNo)?.accountNo;
    },
  };
}

export type ProgressViews = ReturnType<typeof createProgressViews>;
