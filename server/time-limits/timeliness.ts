// Timeliness statistics (时效统计) over a date range, as the asking staff member may see them: a team lead their
// team, an admin everyone, a handler their own work.
import { findProcess, findStep } from '../domain/catalog.ts';
import { calendarDateOf, endOfDay, startOfDay, type CalendarDate } from '../domain/dates.ts';
import { aggregateTimeliness, catalogStepOrder, timelinessOrder, type AlertFact, type OccurrenceFact, type TimelinessGrouping, type TimelinessRow } from '../domain/timeliness.ts';
import { workdaysTaken } from '../domain/typical-durations.ts';
import { DEFAULT_WORKING_HOURS } from '../domain/working-time.ts';
import type { Stores } from '../stores.ts';
import type { AlertStore } from './alert-store.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { StaffScope } from '../staff/staff-accounts.ts';

const UNASSIGNED = '未指派';

export function createTimelinessStats(deps: { ctx: ServiceContext; stores: Pick<Stores, 'alerts'> }) {
  const { ctx } = deps;
  // the order the rows by step are listed in: the catalog's steps in process order
  const stepOrder = catalogStepOrder(ctx.catalog.processes);

  function visible(who: StaffScope, handlerId: string | null, teamId: string | null): boolean {
    if (who.role === 'admin') return true;
    if (who.role === 'team_lead') return teamId === who.teamId;
    return handlerId === who.handlerId;
  }

  function utilityStep(processCode: string, stepCode: string) {
    const process = findProcess(ctx.catalog, processCode);
    const step = process && findStep(process, stepCode);
    return step && step.side === 'utility' && step.limitWorkdays !== null ? { ...step, limitWorkdays: step.limitWorkdays } : undefined;
  }

  return {
    /** `store`: a transaction's, when the rows go into what it writes (the weekly digest) */
    async rows(who: StaffScope, query: { from: CalendarDate; to: CalendarDate; groupBy: TimelinessGrouping }, store: AlertStore = deps.stores.alerts): Promise<TimelinessRow[]> {
      const from = startOfDay(query.from, ctx.timeZone);
      const to = endOfDay(query.to, ctx.timeZone);
      const group = (stepCode: string, stepName: string, handlerId: string | null, handlerName: string | null, teamId: string | null, teamName: string | null) => {
        if (query.groupBy === 'step') return { key: stepCode, name: stepName };
        if (query.groupBy === 'handler') return { key: handlerId ?? '', name: handlerName ?? UNASSIGNED };
        return { key: teamId ?? '', name: teamName ?? UNASSIGNED };
      };
      const occurrences: OccurrenceFact[] = [];
      for (const o of await store.occurrencesInRange(from, to)) {
        const step = utilityStep(o.processCode, o.stepCode);
        if (!step || o.actualStart === null || !visible(who, o.handlerId, o.teamId)) continue;
        const done = o.status === 'done' && o.actualEnd !== null;
        occurrences.push({
          ...group(o.stepCode, step.name, o.handlerId, o.handlerName, o.teamId, o.teamName),
          startedInRange: o.actualStart >= from && o.actualStart <= to,
          completedInRange: done && o.actualEnd! >= from && o.actualEnd! <= to,
          overdue: Boolean(o.overdue),
          workdays: done ? workdaysTaken(o.actualStart, o.actualEnd!, ctx.calendar, ctx.workingHours ?? DEFAULT_WORKING_HOURS, ctx.timeZone) : null,
          limitWorkdays: step.limitWorkdays,
        });
      }
      const alerts: AlertFact[] = [];
      for (const a of await store.stepAlertsInRange(from, to)) {
        const step = utilityStep(a.processCode, a.stepCode);
        if (!step || !visible(who, a.handlerId, a.teamId)) continue;
        alerts.push({ ...group(a.stepCode, step.name, a.handlerId, a.handlerName, a.teamId, a.teamName), level: a.level, explained: Boolean(a.explained) });
      }
      return aggregateTimeliness(occurrences, alerts, timelinessOrder(query.groupBy, stepOrder));
    },
  };
}

export type TimelinessStats = ReturnType<typeof createTimelinessStats>;
