// The SLA sweep (时限监控): raises the warning and overdue alerts step occurrences owe and the application-level
// overdue alert, pushes them live at once, and texts handlers (and team leads) only in working time.
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { findProcess, findStep } from '../domain/catalog.ts';
import { alertLevelAt } from '../domain/sla.ts';
import { nextWorkingTime, type WorkingHours } from '../domain/working-time.ts';
import type { AlertInsert, AlertRow, AlertStore } from '../../db/alert-store.ts';
import type { StaffStore } from '../../db/staff-store.ts';
import type { AlertService } from './alerts.ts';
import type { ServiceContext } from './context.ts';
import type { IngestChanges } from './ingest.ts';
import type { NoticeWriter } from './notices.ts';

/** Rows per transaction: better-sqlite3 blocks the event loop while it works, so the sweep yields between chunks. */
export const SLA_SWEEP_CHUNK = 500;

export interface SlaSweepResult {
  warnings: number;
  overdue: number;
  applicationOverdue: number;
  /** alerts whose SMS were queued in this sweep */
  notified: number;
}

export interface SlaServiceOptions {
  ctx: ServiceContext;
  store: AlertStore;
  alerts: AlertService;
  staff: StaffStore;
  notices: NoticeWriter;
  workingHours: WorkingHours;
  log: FastifyBaseLogger;
  /** after commit: deliver the notices just queued */
  wakeDispatcher: () => void;
  chunkSize?: number;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createSlaService(options: SlaServiceOptions) {
  const { ctx, store, alerts, staff, notices } = options;
  const chunk = options.chunkSize ?? SLA_SWEEP_CHUNK;
  const notifyFrom = (now: number) => nextWorkingTime(now, ctx.calendar, options.workingHours, ctx.timeZone);

  function alertRow(fields: Omit<AlertInsert, 'id' | 'notifiedAt' | 'explanation' | 'explainedAt' | 'explainedBy'>): AlertRow {
    return {
      id: randomUUID(),
      handlerId: null,
      teamId: null,
      dueAt: null,
      notifyAt: null,
      ...fields,
      notifiedAt: null,
      explanation: null,
      explainedAt: null,
      explainedBy: null,
    };
  }

  /** One transaction: raises what up to `chunk` owing steps owe and moves each on. Returns the rows read and raised. */
  function raiseStepChunk(now: number): { read: number; raised: AlertRow[] } {
    const rows = store.owingSteps(now, chunk);
    const raised: AlertRow[] = [];
    const notifyAt = notifyFrom(now);
    for (const row of rows) {
      if (row.dueAt === null || row.actualStart === null) {
        store.advanceStep(row.applicationNo, row.stepCode, row.alertAt, null);
        continue;
      }
      const level = alertLevelAt(now, row.dueAt);
      const alert = alertRow({
        applicationNo: row.applicationNo,
        stepCode: row.stepCode,
        occurrence: row.actualStart,
        handlerId: row.handlerId,
        teamId: row.teamId,
        level,
        dueAt: row.dueAt,
        raisedAt: now,
        live: true,
        notifyAt,
      });
      if (store.insert(alert)) raised.push(alert);
      store.advanceStep(row.applicationNo, row.stepCode, row.alertAt, level === 'warning' ? row.dueAt : null);
    }
    return { read: rows.length, raised };
  }

  /** The team answerable for an application: its running utility step's handler's, else its latest handler's. */
  function teamOf(applicationNo: string): string | null {
    const steps = ctx.store.steps(applicationNo).filter((s) => s.handlerId !== null);
    const running = steps.find((s) => s.status === 'in_progress');
    const latest = running ?? [...steps].sort((a, b) => (b.handlerAt ?? 0) - (a.handlerAt ?? 0))[0];
    return latest ? (ctx.store.handler(latest.handlerId!)?.teamId ?? null) : null;
  }

  function raiseApplicationChunk(now: number): { read: number; raised: AlertRow[] } {
    const rows = store.owingApplications(now, chunk);
    const raised: AlertRow[] = [];
    for (const row of rows) {
      // Addressed to the team lead: no handler of its own, so only the team (and admins) see and explain it.
      const alert = alertRow({
        applicationNo: row.applicationNo,
        stepCode: '',
        occurrence: 0,
        teamId: teamOf(row.applicationNo),
        level: 'overdue',
        dueAt: row.limitAlertAt,
        raisedAt: now,
        live: true,
        notifyAt: notifyFrom(now),
      });
      if (store.insert(alert)) raised.push(alert);
      store.clearApplicationLimit(row.applicationNo, row.limitAlertAt);
    }
    return { read: rows.length, raised };
  }

  function stepNameOf(processCode: string | undefined, stepCode: string): string {
    const process = processCode === undefined ? undefined : findProcess(ctx.catalog, processCode);
    if (stepCode === '') return process ? `${process.name}全流程` : '全流程';
    return (process && findStep(process, stepCode)?.name) ?? stepCode;
  }

  /** Queues the SMS of one alert whose time has come; false when it was someone else's to send or is moot. */
  function notify(alert: AlertRow, now: number): boolean {
    if (!store.claimNotice(alert.id, now)) return false;
    const application = ctx.store.application(alert.applicationNo);
    if (!application) return false;
    if (alert.level === 'warning') {
      // Held overnight, a warning whose step has since been done would only confuse.
      const step = ctx.store.step(alert.applicationNo, alert.stepCode);
      if (!step || step.status !== 'in_progress' || step.actualStart !== alert.occurrence) return false;
    }
    const recipients = new Map<string, string>();
    const handler = alert.handlerId ? ctx.store.handler(alert.handlerId) : undefined;
    if (handler) recipients.set(handler.id, handler.phone);
    // The team lead hears of every overdue step, and of a warning nobody else would hear of.
    if ((alert.level === 'overdue' || !handler) && alert.teamId) {
      for (const lead of staff.teamLeads(alert.teamId)) recipients.set(lead.id, lead.phone);
    }
    const kind = alert.level === 'warning' ? 'sla_warning' : 'sla_overdue';
    const variables = {
      applicationNo: alert.applicationNo,
      stepName: stepNameOf(application.processCode, alert.stepCode),
      dueAt: alert.dueAt ?? alert.raisedAt,
      explanationRequired: alert.level === 'overdue',
    };
    for (const [handlerId, phone] of recipients) notices.queue(kind, { kind: 'handler', handlerId, phone, applicationNo: alert.applicationNo }, variables);
    return recipients.size > 0;
  }

  function notifyChunk(now: number): { read: number; notified: number } {
    const rows = store.dueForNotice(now, chunk);
    let notified = 0;
    for (const alert of rows) if (notify(alert, now)) notified++;
    return { read: rows.length, notified };
  }

  /** Runs `step` in chunk transactions until nothing is left, yielding to the event loop between them. */
  async function drain<T extends { read: number }>(step: () => T, after: (result: T) => void): Promise<void> {
    for (;;) {
      const result = ctx.database.transaction(step);
      after(result);
      if (result.read === 0) return;
      await yieldToEventLoop();
    }
  }

  return {
    /** One sweep as of now: raise, push live, queue the SMS that working time allows. */
    async sweep(): Promise<SlaSweepResult> {
      const now = ctx.clock.now();
      const result: SlaSweepResult = { warnings: 0, overdue: 0, applicationOverdue: 0, notified: 0 };
      const published = (counter: 'step' | 'application') => ({ raised }: { raised: AlertRow[] }) => {
        for (const alert of raised) {
          if (counter === 'application') result.applicationOverdue++;
          else if (alert.level === 'warning') result.warnings++;
          else result.overdue++;
          alerts.publish(alert);
        }
      };
      await drain(() => raiseStepChunk(now), published('step'));
      await drain(() => raiseApplicationChunk(now), published('application'));
      await drain(
        () => notifyChunk(now),
        ({ notified }) => {
          result.notified += notified;
          if (notified > 0) options.wakeDispatcher();
        },
      );
      if (result.warnings + result.overdue + result.applicationOverdue > 0) options.log.info({ ...result }, 'sla sweep raised alerts');
      return result;
    },

    /**
     * The ingest hook (inside the sync's transaction): a utility step synced as done after its due time without an
     * alert is still recorded as overdue, for statistics; such a record notifies nobody and needs no explanation.
     */
    onIngest(changes: IngestChanges): void {
      const now = ctx.clock.now();
      for (const { applicationNo, stepCode } of changes.completedSteps) {
        const step = ctx.store.step(applicationNo, stepCode);
        if (!step || step.status !== 'done' || step.actualStart === null || step.actualEnd === null || step.dueAt === null) continue;
        if (step.actualEnd <= step.dueAt) continue;
        const application = ctx.store.application(applicationNo);
        const process = application && findProcess(ctx.catalog, application.processCode);
        if (!process || findStep(process, stepCode)?.side !== 'utility') continue;
        const handler = step.handlerId ? ctx.store.handler(step.handlerId) : undefined;
        store.insert(
          alertRow({
            applicationNo,
            stepCode,
            occurrence: step.actualStart,
            handlerId: step.handlerId,
            teamId: handler?.teamId ?? null,
            level: 'overdue',
            dueAt: step.dueAt,
            raisedAt: now,
            live: false,
          }),
        );
      }
    },
  };
}

export type SlaService = ReturnType<typeof createSlaService>;
