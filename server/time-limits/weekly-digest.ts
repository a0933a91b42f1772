// The weekly digest (周报): each Monday at the start of working hours (08:30 by default; the next working morning
// when Monday is a holiday) every team lead gets one message on last week's overdue steps and the still-open alerts;
// its e-mail (to a lead with an address) carries the team's timeliness statistics of that week as CSV.
import { findProcess, findStep } from '../domain/catalog.ts';
import { addDays, calendarDateOf, endOfDay, startOfDay, weekday, type CalendarDate } from '../domain/dates.ts';
import type { DigestAlert } from '../domain/notices.ts';
import { timelinessCsv } from '../domain/timeliness.ts';
import { nextWorkingTime, type WorkingHours } from '../domain/working-time.ts';
import type { Transact } from '../stores.ts';
import type { ApplicationStore } from '../applications/application-store.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { NoticeWriter } from '../notices/writer.ts';
import type { TimelinessStats } from './timeliness.ts';

/** Weeks back a digest may be sent for: the week before last (only when its due time fell in this week), then last week. */
const CATCH_UP_WEEKS = [2, 1];

/** The Monday of the week `date` is in. */
export function mondayOf(date: CalendarDate): CalendarDate {
  return addDays(date, -((weekday(date) + 6) % 7));
}

export function createWeeklyDigest(options: {
  ctx: ServiceContext;
  transact: Transact;
  notices: NoticeWriter;
  timeliness: TimelinessStats;
  workingHours: WorkingHours;
  wakeDispatcher: () => void;
}) {
  const { ctx, notices } = options;

  async function stepName(applications: ApplicationStore, applicationNo: string, stepCode: string): Promise<string> {
    const application = await applications.application(applicationNo);
    const process = application && findProcess(ctx.catalog, application.processCode);
    if (stepCode === '') return process ? `${process.name}全流程` : '全流程';
    return (process && findStep(process, stepCode)?.name) ?? stepCode;
  }

  return {
    /**
     * Sends this week's digests once their time has come; a team's digest goes once per week whatever restarts or
     * sweeps happen (one weekly_digests row, written with the outbox rows). Returns how many digests went (teams × weeks).
     */
    async run(): Promise<number> {
      const now = ctx.clock.now();
      const thisMonday = mondayOf(calendarDateOf(now, ctx.timeZone));
      // Last week's digest, and the week before's when its due time fell in this week: when the working morning after a
      // holiday Monday falls in the following week (Spring Festival), the week before the holiday is due that same
      // morning. weekly_digests keeps each week sent once; a team new this week is not sent a week long past.
      const weeks = CATCH_UP_WEEKS.flatMap((back) => {
        const monday = addDays(thisMonday, -7 * (back - 1));
        const due = nextWorkingTime(startOfDay(monday, ctx.timeZone), ctx.calendar, options.workingHours, ctx.timeZone);
        if (now < due || (back > 1 && due < startOfDay(thisMonday, ctx.timeZone))) return [];
        return [{ weekStart: addDays(monday, -7), weekEnd: addDays(monday, -1) }];
      });
      if (weeks.length === 0) return 0;
      const sent = await options.transact(async (stores) => {
        const { alerts: store, applications } = stores;
        let teams = 0;
        for (const { weekStart, weekEnd } of weeks) {
          const from = startOfDay(weekStart, ctx.timeZone);
          const to = endOfDay(weekEnd, ctx.timeZone);
          for (const team of await store.teamsWithLeads()) {
            if (!(await store.recordDigest(team.teamId, weekStart, now))) continue;
            const openAlerts: DigestAlert[] = [];
            for (const alert of await store.queue({ role: 'team_lead', teamId: team.teamId, handlerId: '' })) {
              openAlerts.push({
                applicationNo: alert.applicationNo,
                stepName: await stepName(applications, alert.applicationNo, alert.stepCode),
                level: alert.level,
                dueAt: alert.dueAt ?? alert.raisedAt,
                handlerName: alert.handlerId ? ((await applications.handler(alert.handlerId))?.name ?? null) : null,
              });
            }
            const variables = { teamName: team.teamName, weekStart, weekEnd, overdueCount: await store.teamOverdueCount(team.teamId, from, to), openAlerts };
            // the team's week by handler, as a team lead sees it in GET /api/v1/stats/timeliness?groupBy=handler&format=csv
            const rows = await options.timeliness.rows({ role: 'team_lead', teamId: team.teamId, handlerId: '' }, { from: weekStart, to: weekEnd, groupBy: 'handler' }, store);
            const csv = { filename: `timeliness-${team.teamId}-${weekStart}-${weekEnd}.csv`, contentType: 'text/csv; charset=utf-8', content: timelinessCsv(rows) };
            for (const lead of await store.teamLeads(team.teamId)) {
              await notices.queue(stores, 'weekly_digest', { kind: 'handler', handlerId: lead.id, phone: lead.phone, applicationNo: null }, variables, { attachments: [csv] });
            }
            teams++;
          }
        }
        return teams;
      });
      if (sent > 0) options.wakeDispatcher();
      return sent;
    },
  };
}

export type WeeklyDigest = ReturnType<typeof createWeeklyDigest>;
