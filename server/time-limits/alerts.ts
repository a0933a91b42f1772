// Alerts as staff see them: the queue, per application, and the explanations (情况说明) that close overdue ones.
import { JiedianError } from '../errors.ts';
import { formatInstant } from '../domain/dates.ts';
import type { Stores, Transact } from '../stores.ts';
import type { Alert as AlertRow } from './alert-store.ts';
import { topics, type RealtimeHub } from '../realtime/hub.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { StaffPrincipal } from '../staff/staff-accounts.ts';

export const MAX_EXPLANATION = 1000;

export interface AlertView {
  id: string;
  applicationNo: string;
  stepCode: string | null;
  /** the step's name in the process catalog; null for an application-level alert (stepCode null) */
  stepName: string | null;
  handlerId: string | null;
  /** the handler's name as staff see it (unmasked); null without a handler */
  handlerName: string | null;
  level: AlertRow['level'];
  dueAt: string | null;
  raisedAt: string;
  explanation: string | null;
  explainedAt: string | null;
  explainedBy: string | null;
  live: boolean;
}

export function createAlertService(ctx: ServiceContext, stores: Pick<Stores, 'alerts' | 'applications'>, transact: Transact, hub: RealtimeHub) {
  const store = stores.alerts;
  const instant = (ms: number | null) => (ms === null ? null : formatInstant(ms, ctx.timeZone));
  // A step's name is defined once per code in the catalog (its `steps` map), so no lookup of the application is needed.
  const stepNames = new Map<string, string>();
  for (const process of ctx.catalog.processes) for (const step of process.steps) if (!stepNames.has(step.code)) stepNames.set(step.code, step.name);

  /** `names` memoises handler names over one listing (a queue holds many alerts of few handlers). */
  async function view(row: AlertRow, names = new Map<string, string | null>()): Promise<AlertView> {
    const stepCode = row.stepCode === '' ? null : row.stepCode;
    let handlerName: string | null = null;
    if (row.handlerId !== null) {
      if (!names.has(row.handlerId)) names.set(row.handlerId, (await stores.applications.handler(row.handlerId))?.name ?? null);
      handlerName = names.get(row.handlerId) ?? null;
    }
    return {
      id: row.id,
      applicationNo: row.applicationNo,
      stepCode,
      stepName: stepCode === null ? null : (stepNames.get(stepCode) ?? stepCode),
      handlerId: row.handlerId,
      handlerName,
      level: row.level,
      dueAt: instant(row.dueAt),
      raisedAt: instant(row.raisedAt)!,
      explanation: row.explanation,
      explainedAt: instant(row.explainedAt),
      explainedBy: row.explainedBy,
      live: row.live,
    };
  }

  function visible(who: StaffPrincipal, row: AlertRow): boolean {
    if (who.role === 'admin') return true;
    if (who.role === 'team_lead') return row.teamId === who.teamId;
    return row.handlerId === who.handlerId;
  }

  async function publish(row: AlertRow): Promise<void> {
    const targets = [row.handlerId && topics.handler(row.handlerId), row.teamId && topics.team(row.teamId), topics.allStaff].filter(
      (topic): topic is string => !!topic && (hub.spansInstances || hub.hasSubscribers(topic)),
    );
    // A sweep at midnight raises thousands at once, mostly for nobody watching: build a frame only for a listener
    // (one that may be on another instance, when the hub spans them: the sweep runs on one instance only).
    if (targets.length === 0) return;
    const frame = JSON.stringify({ type: 'alert', alert: await view(row) });
    for (const topic of targets) hub.publish(topic, frame);
  }

  return {
    view: (row: AlertRow) => view(row),
    publish,
    async queue(who: StaffPrincipal): Promise<AlertView[]> {
      const names = new Map<string, string | null>();
      const views: AlertView[] = [];
      for (const row of await store.queue(who)) views.push(await view(row, names));
      return views;
    },
    async ofApplication(applicationNo: string): Promise<AlertView[]> {
      const names = new Map<string, string | null>();
      const views: AlertView[] = [];
      for (const row of await store.ofApplication(applicationNo)) views.push(await view(row, names));
      return views;
    },

    /** By the alert's handler or their team lead (or an admin); closes the alert in the queue. */
    async explain(who: StaffPrincipal, id: string, text: string): Promise<AlertView> {
      const now = ctx.clock.now();
      const row = await transact(async ({ alerts }) => {
        const alert = await alerts.byId(id);
        if (!alert || !visible(who, alert)) throw new JiedianError('JD_NOT_FOUND', `no alert ${id} in your queue`);
        if (alert.explainedAt !== null) throw new JiedianError('JD_CONFLICT', `alert ${id} is already explained`);
        await alerts.explain(id, { text, at: now, by: who.handlerId });
        return (await alerts.byId(id))!;
      });
      await publish(row);
      return view(row);
    },
  };
}

export type AlertService = ReturnType<typeof createAlertService>;
