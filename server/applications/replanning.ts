// Re-plans outside a sync: a staff re-plan with a new requested date, and the refresh of plans gone out of date. Both
// go through replanApplication and the change flow, as a sync's re-plan does (plan_changed notices, live updates).
import { isPlanCurrent } from '../domain/plan-refresh.ts';
import { DEFAULT_WORKING_HOURS } from '../domain/working-time.ts';
import { JiedianError } from '../errors.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { Stores } from '../stores.ts';
import type { ChangeFlow } from './change-flow.ts';
import { replanApplication } from './planning.ts';

export interface ReplanningOptions {
  ctx: ServiceContext;
  /** for reads outside a unit of work */
  stores: Stores;
  flow: ChangeFlow;
  /** the sync's rule for requested dates (inside the working calendar); throws the 400 */
  checkRequestedDate: (date: string | null) => void;
}

/** One chunk of a plan refresh walk. */
export interface RefreshChunk {
  /** the walk's position: the last application looked at; null once the walk has passed the last application */
  position: string | null;
  /** applications looked at in this chunk */
  scanned: number;
  /** of which re-planned */
  refreshed: number;
}

export function createReplanning(options: ReplanningOptions) {
  const { ctx, flow } = options;
  const store = options.stores.applications;
  const frame = { calendar: ctx.calendar, timeZone: ctx.timeZone, workingHours: ctx.workingHours ?? DEFAULT_WORKING_HOURS };
  const outOfDate = (row: { status: string; plannedOn: string; updatedAt: number }, now: number) =>
    row.status === 'active' && !isPlanCurrent({ plannedOn: row.plannedOn, plannedAt: row.updatedAt }, now, frame);

  return {
    /**
     * A staff re-plan: the application gets a new requested connection date and is re-planned in one transaction; the
     * customer is told the new plan (plan_changed when the expected date moves, else plan_created).
     */
    async replanWithRequestedDate(applicationNo: string, requestedConnectDate: string | null): Promise<void> {
      const now = ctx.clock.now();
      const changes = flow.empty();
      await flow.write(async (all) => {
        const { applications } = all;
        // locked (PostgreSQL) until commit: a step event of the same application waits, then re-plans on this one
        const current = await applications.applicationForUpdate(applicationNo);
        if (!current) throw new JiedianError('JD_NOT_FOUND', `no application ${applicationNo}`);
        if (current.status !== 'active') throw new JiedianError('JD_NOT_ACTIVE', `application ${applicationNo} is ${current.status}`);
        options.checkRequestedDate(requestedConnectDate);
        await applications.setRequestedConnectDate(applicationNo, requestedConnectDate);
        changes.applications.add(applicationNo);
        changes.replans.push({ ...(await replanApplication(ctx, applications, (await applications.application(applicationNo))!, now)), requestedDateSet: true });
        await flow.consequences(changes, all);
      });
      flow.publish(changes);
    },

    /**
     * One chunk of the walk over applications by number after `position`: reads at most `scanRows` of them and, in
     * one transaction, re-plans those whose plan is out of date until `budgetMs` of work is done (at least one).
     */
    async refreshChunk(position: string, limits: { scanRows: number; budgetMs: number }): Promise<RefreshChunk> {
      const rows = await store.planStatesAfter(position, limits.scanRows);
      const end = rows.length < limits.scanRows;
      const now = ctx.clock.now();
      const due = rows.filter((row) => outOfDate(row, now));
      if (due.length === 0) return { position: end ? null : rows.at(-1)!.applicationNo, scanned: rows.length, refreshed: 0 };
      const changes = flow.empty();
      const handled = await flow.write(async (all) => {
        const started = performance.now();
        let i = 0;
        for (; i < due.length && (i === 0 || performance.now() - started < limits.budgetMs); i++) {
          // read again inside the transaction: a sync since the walk's read may have re-planned it already
          const application = await all.applications.applicationForUpdate(due[i]!.applicationNo);
          if (!application || !outOfDate(application, now)) continue;
          // each application's consequences at once (they are its own), so the time budget counts them too
          const one = { ...flow.empty(), applications: new Set([application.applicationNo]), replans: [await replanApplication(ctx, all.applications, application, now)] };
          await flow.consequences(one, all);
          changes.applications.add(application.applicationNo);
          changes.replans.push(...one.replans);
        }
        return i;
      });
      flow.publish(changes);
      if (handled < due.length) {
        const last = due[handled - 1]!.applicationNo;
        return { position: last, scanned: rows.findIndex((r) => r.applicationNo === last) + 1, refreshed: changes.replans.length };
      }
      return { position: end ? null : rows.at(-1)!.applicationNo, scanned: rows.length, refreshed: changes.replans.length };
    },
  };
}

export type Replanning = ReturnType<typeof createReplanning>;
